"""Words the demo season is made of: given names, family names, and the parts of organization names.

Every name is fictitious. People's names are a given name and a family name
drawn independently from lists of common names of the countries newcomers to
Québec come from, so no list entry is a person; organization names are built
from generic words and the names of places (regions, MRCs, towns) and name no
real organization. Addresses are at example.com / example.org only, phone
numbers in the 555-01xx range reserved for fiction.
"""

from __future__ import annotations

# Given names and family names, by broad origin; a person draws both from one origin (mostly).
ORIGINS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "maghreb": (
        ("Yasmine", "Karim", "Nadia", "Mehdi", "Samira", "Youssef", "Imane", "Rachid", "Salma", "Amine",
         "Leïla", "Hamza", "Nour", "Sofiane", "Meriem", "Bilal"),
        ("Benali", "Haddad", "Mansouri", "Bouzid", "Cherkaoui", "Amrani", "Belkacem", "Saidi", "Tazi",
         "Brahimi", "Ouali", "Ziani"),
    ),
    "west_africa": (
        ("Aminata", "Moussa", "Fatou", "Ibrahima", "Awa", "Mamadou", "Mariam", "Ousmane", "Kadiatou",
         "Abdoulaye", "Adjoa", "Kwame"),
        ("Diallo", "Traoré", "Koné", "Ndiaye", "Camara", "Sow", "Diop", "Keïta", "Ouédraogo", "Mensah",
         "Kaboré", "Fofana"),
    ),
    "central_africa": (
        ("Grâce", "Patrick", "Christelle", "Junior", "Divine", "Hervé", "Ornella", "Serge", "Merveille"),
        ("Mbarga", "Nkoulou", "Tshibanda", "Kabongo", "Ngoma", "Essomba", "Mukendi", "Fotso", "Ilunga"),
    ),
    "haiti": (
        ("Widline", "Jean-Robert", "Nadège", "Wilson", "Rose-Marie", "Frantz", "Guerline", "Junior",
         "Mirlande", "Ricardo"),
        ("Joseph", "Pierre-Louis", "Jean-Baptiste", "Desrosiers", "Charles", "Étienne", "Lafortune",
         "Célestin", "Augustin", "Fleurant"),
    ),
    "latin_america": (
        ("María", "José", "Camila", "Andrés", "Valentina", "Diego", "Daniela", "Santiago", "Lucía",
         "Carlos", "Gabriela", "Mateo", "Paola", "Javier"),
        ("González", "Rodríguez", "Pérez", "Ramírez", "Torres", "Flores", "Castillo", "Morales",
         "Vargas", "Herrera", "Mendoza", "Rojas", "Salazar", "Guzmán"),
    ),
    "france_belgium": (
        ("Camille", "Théo", "Manon", "Hugo", "Chloé", "Lucas", "Léa", "Antoine", "Pauline", "Julien",
         "Margaux", "Maxime"),
        ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Girard", "Lefèvre", "Mercier", "Faure",
         "Renard", "Peeters", "Lambert"),
    ),
    "south_asia": (
        ("Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Fatima", "Imran", "Sana", "Harpreet",
         "Nikhil", "Meera"),
        ("Sharma", "Patel", "Singh", "Iyer", "Reddy", "Khan", "Chowdhury", "Gill", "Nair", "Rahman",
         "Desai", "Kaur"),
    ),
    "east_asia": (
        ("Wei", "Mei", "Jun", "Xin", "Hao", "Lin", "Yuki", "Min-jun", "Ji-woo", "Thanh", "Linh", "Minh"),
        ("Wang", "Li", "Zhang", "Chen", "Liu", "Huang", "Kim", "Park", "Nguyen", "Tran", "Pham", "Sato"),
    ),
    "philippines": (
        ("Maricel", "Jerome", "Kristine", "Rodel", "Joy", "Mark Anthony", "Rowena", "Arnel", "Janelle"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Villanueva", "Aquino"),
    ),
    "middle_east": (
        ("Rami", "Lina", "Omar", "Rana", "Tarek", "Dima", "Samir", "Hiba", "Reza", "Shirin", "Dariush",
         "Maryam"),
        ("Haddad", "Khoury", "Nasser", "Saleh", "Aziz", "Farah", "Hosseini", "Rahimi", "Karimi", "Moradi",
         "Abboud", "Sabbagh"),
    ),
    "eastern_europe": (
        ("Olena", "Dmytro", "Iryna", "Andriy", "Natalia", "Oleksandr", "Kateryna", "Mihai", "Ioana",
         "Bogdan", "Anastasia"),
        ("Kovalenko", "Shevchenko", "Bondarenko", "Tkachenko", "Melnyk", "Popescu", "Ionescu", "Petrenko",
         "Kravets", "Dumitru", "Moroz"),
    ),
}  # fmt: skip

# How often each origin comes up among the season's people (illustrative).
ORIGIN_WEIGHTS = {
    "maghreb": 16, "west_africa": 12, "central_africa": 8, "haiti": 8, "latin_america": 14,
    "france_belgium": 12, "south_asia": 9, "east_asia": 7, "philippines": 5, "middle_east": 5,
    "eastern_europe": 4,
}  # fmt: skip

EMAIL_DOMAINS = ("example.com", "example.org")
# Area codes of Québec; numbers are always 555-01xx (reserved for fiction).
AREA_CODES = ("514", "438", "450", "579", "418", "581", "819", "873", "367", "263", "354")

# Counsellors of the hub: fictitious professional names.
COUNSELLOR_GIVEN = (
    "Geneviève", "Mathieu", "Isabelle", "Olivier", "Nathalie", "Samuel", "Mélanie", "Alexandre", "Sophie",
    "Karim", "Valérie", "Jonathan", "Émilie", "Rafael", "Annie",
)  # fmt: skip
COUNSELLOR_FAMILY = (
    "Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie", "Fortin", "Gagné",
    "Ouellet", "Pelletier", "Bélanger", "Lévesque", "Bergeron",
)  # fmt: skip

# Organization names: {place} is a region, an MRC or a town of the partner's territory.
COMMUNITY_PATTERNS = (
    "Carrefour d'accueil des nouveaux arrivants de {place}",
    "Accueil et intégration {place}",
    "Service d'aide à l'établissement de {place}",
    "Intégration régionale {place}",
    "Maison des nouveaux arrivants de {place}",
    "Alliance pour l'accueil en région — {place}",
)
PROVINCIAL_PATTERNS = (
    "Direction régionale de l'immigration — {place}",
    "Bureau régional de l'emploi et de la francisation — {place}",
)
MUNICIPALITY_PATTERNS = (
    "MRC de {place} — Service d'attraction et d'accueil",
    "Ville de {place} — Bureau de l'accueil des personnes immigrantes",
    "Développement économique {place}",
)
EMPLOYER_PATTERNS: dict[str, tuple[str, ...]] = {
    "1": ("Comptabilité {place} inc.", "Cabinet {place} et associés"),
    "2": ("Technologies {place} inc.", "Logiciels {place}", "Électro-systèmes {place}"),
    "3": ("Clinique médicale {place}", "Résidence pour aînés {place}", "Centre de santé {place}"),
    "4": ("Centre de la petite enfance {place}", "Centre communautaire {place}"),
    "5": ("Studio graphique {place}",),
    "6": ("Auberge {place}", "Hôtel et spa {place}", "Boulangerie artisanale {place}"),
    "7": ("Transport {place} inc.", "Construction {place}", "Garage {place} ltée"),
    "8": ("Ferme laitière {place}", "Scierie {place}", "Serres {place}"),
    "9": ("Usinage {place} inc.", "Métallurgie {place}", "Aliments {place}"),
}
