"""The demonstration territory loaded by ``commons demo``.

A fictional rural intercommunality, the Val de Vionne, with its communes, the stakeholders of
every family, three calls for commons (two open, one draft), the projects answering them, the
people who joined them and their pledges, the calls' funders, and a co-budget of every kind: a
vote by equal shares closed with its result published and paid out of the pool, a vote open with
colleges and seed funding, a quadratic matching of gifts with its estimate, and wallets whose
registration is open; and a funded project's expenses, one paid and one waiting for approval.
The French content is plain data below; ``load_demo`` walks it through the use cases, so every
step writes its rows and its domain events exactly as real use does. Only the territories, which
have no use case, are inserted directly; the closed round's result, which a worker computes, is
computed at once by the same consumer.

Every demo account signs in with ``DEMO_PASSWORD``. The codes are INSEE-like (communes) and
SIREN-like (intercommunality) but belong to no real place.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from commons.accounts.models import OrganizationKind, User
from commons.accounts.services import add_organization_admin, create_organization, sign_up
from commons.budgeting.models import Round, RoundRule
from commons.budgeting.schemas import BallotIn, CandidateIn, CollegeIn, DelegationIn, RoundCreate
from commons.budgeting.services import (
    close_round,
    create_round,
    delegate,
    get_round,
    refresh_estimate,
    register,
    submit_ballot,
)
from commons.challenges.schemas import ChallengeCreate, IndicatorIn
from commons.challenges.services import create_challenge, publish_challenge
from commons.db import utcnow
from commons.errors import Conflict
from commons.events.consumers import consume
from commons.events.models import OutboxEvent
from commons.events.outbox import EventType
from commons.expenses.schemas import ExpenseCreate
from commons.expenses.services import approve_expense, pay_expense, submit_expense
from commons.funders.schemas import FunderCreate
from commons.funders.services import add_funder, list_funders, mark_received
from commons.pledges.schemas import MoneyPledgeIn, PledgeIn, SkillPledgeIn, TimePledgeIn
from commons.pledges.services import confirm_pledge, make_pledge, withdraw_pledge
from commons.projects.models import Need, ParticipationForm, Project, ResourceKind, ResourceOffer
from commons.projects.read_models import refresh_challenge_totals, refresh_project_totals
from commons.projects.schemas import MembershipCreate, MoneyNeedIn, ProjectCreate, SkillNeedIn, TimeNeedIn
from commons.projects.services import join_project, launch_project
from commons.resources.schemas import RevenueLineCreate
from commons.resources.services import declare_revenue
from commons.territories.models import Territory, TerritoryLevel
from workers.actors import CONSUMERS

# The documented password of the public demo accounts (README): public on purpose.
DEMO_PASSWORD = "demo-commons-2026"  # noqa: S105  # nosec B105
EMAIL_DOMAIN = "demo.commons.fr"


def _euros(amount: int) -> int:
    """Euros in cents, the unit of money amounts."""
    return amount * 100


def _hours(amount: int) -> int:
    """Hours in minutes, the unit of time amounts."""
    return amount * 60


# --------------------------------------------------------------------------- the content


@dataclass(frozen=True, slots=True)
class TerritorySeed:
    name: str
    level: TerritoryLevel
    code: str


@dataclass(frozen=True, slots=True)
class Person:
    """A demo account: ``login`` is the part of the email before ``@demo.commons.fr``."""

    login: str
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class OrganizationSeed:
    name: str
    kind: OrganizationKind
    admins: tuple[str, ...]  # logins


@dataclass(frozen=True, slots=True)
class ChallengeSeed:
    """A call posted by ``author`` for ``organization``; its ids are filled in when it is created."""

    key: str
    organization: str  # organization name
    author: str  # login
    territory: str  # territory code
    publish: bool
    call: ChallengeCreate


@dataclass(frozen=True, slots=True)
class ProjectSeed:
    key: str
    challenge: str  # challenge key
    lead: str  # login
    project: ProjectCreate


@dataclass(frozen=True, slots=True)
class JoinSeed:
    project: str  # project key
    member: str  # login
    membership: MembershipCreate


@dataclass(frozen=True, slots=True)
class PledgeSeed:
    """A pledge on the need labelled ``need``; its kind is the need's.

    ``amount`` is in the need's unit: cents for money, minutes for time; a skill pledge is
    always one person and leaves it at 0. ``on_behalf_of`` names an organization the contributor
    administers, to pledge in its name. A ``confirmed`` money pledge was paid: the project's lead
    confirms receiving it (the call's author when the lead gave it), and the ledger moves the money
    to the project's account.
    """

    contributor: str  # login
    project: str  # project key
    need: str  # need label
    amount: int = 0
    note: str = ""
    withdrawn: bool = False
    on_behalf_of: str = ""  # organization name
    confirmed: bool = False


INTERCOMMUNALITE = TerritorySeed(
    "Communauté de communes du Val de Vionne", TerritoryLevel.INTERCOMMUNALITE, "200058999"
)
TERRITORIES: tuple[TerritorySeed, ...] = (
    INTERCOMMUNALITE,
    TerritorySeed("Saint-Aubin-sur-Vionne", TerritoryLevel.COMMUNE, "58901"),
    TerritorySeed("Montclar-en-Morvan", TerritoryLevel.COMMUNE, "58902"),
    TerritorySeed("Rochebelle", TerritoryLevel.COMMUNE, "58903"),
    TerritorySeed("Les Essarts-de-Vionne", TerritoryLevel.COMMUNE, "58904"),
    TerritorySeed("Vionne-la-Forêt", TerritoryLevel.COMMUNE, "58905"),
)

PEOPLE: tuple[Person, ...] = (
    # Collectivités: élus et agents.
    Person(
        "claire.martin",
        "Claire Martin",
        "vice-présidente ESS de la communauté de communes : publie les appels",
    ),
    Person("julien.roux", "Julien Roux", "chargé de mission ESS et coopérations, communauté de communes"),
    Person("sophie.garnier", "Sophie Garnier", "responsable de la cuisine centrale intercommunale"),
    Person("bernard.lefevre", "Bernard Lefèvre", "maire de Saint-Aubin-sur-Vionne"),
    Person("francois.bonnet", "François Bonnet", "adjoint au maire de Rochebelle, chargé des mobilités"),
    # Associations.
    Person("nadia.benali", "Nadia Benali", "coordinatrice de Roule ma Vionne, porteuse du garage solidaire"),
    Person("marc.dupuis", "Marc Dupuis", "mécanicien bénévole à Roule ma Vionne"),
    Person("thomas.girard", "Thomas Girard", "président des Jardins de la Vionne"),
    Person("camille.perrin", "Camille Perrin", "animatrice alimentation aux Jardins de la Vionne"),
    Person("elodie.fabre", "Élodie Fabre", "coordinatrice de la Ressourcerie du Val"),
    # Entreprises.
    Person("hugo.lambert", "Hugo Lambert", "gérant d'Autocars Lambert"),
    Person("isabelle.morel", "Isabelle Morel", "directrice de la SCIC Légumerie du Val"),
    Person("laura.fontaine", "Laura Fontaine", "comptable de la SCIC Légumerie du Val"),
    Person("antoine.chevalier", "Antoine Chevalier", "artisan, Menuiserie Chevalier"),
    Person("olivier.marchand", "Olivier Marchand", "maraîcher bio à Vionne-la-Forêt"),
    # Habitants.
    Person("lea.moreau", "Léa Moreau", "habitante de Montclar, porteuse du projet « Covoit'Vionne »"),
    Person("paul.bernard", "Paul Bernard", "retraité, contributeur : promesses de temps et d'argent"),
    Person("manon.petit", "Manon Petit", "habitante des Essarts, sans voiture"),
    Person("karim.haddad", "Karim Haddad", "habitant de Rochebelle, développeur web"),
    Person("chantal.mercier", "Chantal Mercier", "agricultrice retraitée à Vionne-la-Forêt"),
    Person("yanis.robert", "Yanis Robert", "apprenti de 19 ans, porteur de la vélo-école"),
    Person("ines.blanc", "Inès Blanc", "mère de deux écoliers, collectif des parents d'élèves"),
    Person("gerard.faure", "Gérard Faure", "habitant des Essarts, cheminot retraité"),
    Person("aurelie.simon", "Aurélie Simon", "habitante, conseillère numérique à l'espace France Services"),
    Person("jeanne.colin", "Jeanne Colin", "habitante de Saint-Aubin, bénévole à la Ressourcerie"),
    # Université, fondation, médias.
    Person("mathilde.rousseau", "Mathilde Rousseau", "maîtresse de conférences en économie sociale"),
    Person("lucas.henry", "Lucas Henry", "doctorant CIFRE sur les mobilités rurales"),
    Person("anne.leroy", "Anne Leroy", "chargée de programmes, Fondation des Territoires solidaires"),
    Person("romain.gauthier", "Romain Gauthier", "journaliste à L'Écho du Val"),
    Person("emilie.clement", "Émilie Clément", "animatrice de Radio Vionne FM"),
)

# Created last: its presence tells that the demo was loaded in full.
PLATFORM_ADMIN = Person("admin", "Administration Commons", "administrateur de la plateforme")

# The accounts the message (and the README) points to.
MAIN_LOGINS: tuple[str, ...] = ("claire.martin", "lea.moreau", "nadia.benali", "paul.bernard", "admin")

CC_VAL_DE_VIONNE = "Communauté de communes du Val de Vionne"
ORGANIZATIONS: tuple[OrganizationSeed, ...] = (
    OrganizationSeed(CC_VAL_DE_VIONNE, OrganizationKind.COLLECTIVITE, ("claire.martin", "julien.roux")),
    OrganizationSeed("Commune de Saint-Aubin-sur-Vionne", OrganizationKind.COLLECTIVITE, ("bernard.lefevre",)),
    OrganizationSeed("Roule ma Vionne", OrganizationKind.ASSOCIATION, ("nadia.benali",)),
    OrganizationSeed("Les Jardins de la Vionne", OrganizationKind.ASSOCIATION, ("thomas.girard",)),
    OrganizationSeed("La Ressourcerie du Val", OrganizationKind.ASSOCIATION, ("elodie.fabre",)),
    OrganizationSeed("Autocars Lambert", OrganizationKind.ENTREPRISE, ("hugo.lambert",)),
    OrganizationSeed("SCIC Légumerie du Val", OrganizationKind.ENTREPRISE, ("isabelle.morel",)),
    OrganizationSeed("Menuiserie Chevalier", OrganizationKind.ENTREPRISE, ("antoine.chevalier",)),
    OrganizationSeed("Collectif des habitants de Montclar", OrganizationKind.HABITANT, ("lea.moreau",)),
    OrganizationSeed("Parents d'élèves du Val de Vionne", OrganizationKind.HABITANT, ("ines.blanc",)),
    OrganizationSeed(
        "Université Loire-Morvan — laboratoire Territoires et économie sociale",
        OrganizationKind.UNIVERSITE,
        ("mathilde.rousseau",),
    ),
    OrganizationSeed("Fondation des Territoires solidaires", OrganizationKind.FONDATION, ("anne.leroy",)),
    OrganizationSeed("L'Écho du Val", OrganizationKind.MEDIA, ("romain.gauthier",)),
    OrganizationSeed("Radio Vionne FM", OrganizationKind.MEDIA, ("emilie.clement",)),
)

CHALLENGES: tuple[ChallengeSeed, ...] = (
    ChallengeSeed(
        key="mobilite",
        organization=CC_VAL_DE_VIONNE,
        author="claire.martin",
        territory=INTERCOMMUNALITE.code,
        publish=True,
        call=ChallengeCreate(
            title="Mobilité solidaire en milieu rural",
            problem=(
                "Dans le Val de Vionne, 14 000 habitants vivent dans cinq communes et une trentaine de "
                "hameaux. La voiture individuelle y reste la seule façon de se déplacer : le car régional "
                "ne passe que deux fois par jour à Saint-Aubin-sur-Vionne, et aucun transport en commun ne "
                "dessert Montclar-en-Morvan ni Les Essarts-de-Vionne.\n\n"
                "Près d'un ménage sur dix n'a pas de voiture, et beaucoup n'en ont qu'une pour plusieurs "
                "actifs. Les jeunes sans permis, les personnes âgées qui ne conduisent plus, les demandeurs "
                "d'emploi et les saisonniers renoncent à un rendez-vous médical, à un entretien d'embauche, "
                "à une formation. Le prix du carburant pèse sur les budgets modestes : la mobilité est "
                "devenue un facteur d'exclusion.\n\n"
                "Des réponses existent déjà, mais dispersées : un transport associatif vers l'hôpital, un "
                "garage qui dépanne à petit prix, de l'entraide entre voisins. Aucune n'est connue de tous, "
                "aucune ne partage ses outils ni ses données.\n\n"
                "Le défi : que chaque habitant du Val puisse se rendre à un rendez-vous à la "
                "sous-préfecture, à 35 km, en moins d'une heure, sans voiture personnelle et pour moins de "
                "3 € le trajet, d'ici la fin de 2027. Nous ne lançons pas un appel à projets mais un "
                "appel à commun : nous cherchons des solutions coopératives, sobres en carbone, que "
                "d'autres territoires ruraux pourront reprendre librement."
            ),
            licence="CC-BY-SA-4.0",
            cost_ceiling_cents=_euros(40_000),
            externalities=(
                "Réduire les émissions liées aux déplacements (objectif : −10 % sur les trajets "
                "domicile-travail du territoire). Aucune solution ne doit exclure les personnes éloignées "
                "du numérique : un accès par téléphone ou en mairie est exigé. Priorité à l'emploi local "
                "et aux acteurs de l'ESS du territoire. Pas de collecte de données personnelles au-delà du "
                "strict nécessaire."
            ),
            commons_governance=(
                "Les livrables (code, données des arrêts, guides, plans) sont publiés sous licence libre "
                "(CC-BY-SA 4.0 pour les contenus, AGPL pour le code) dans un dépôt public. Un comité du "
                "commun réunit chaque trimestre un représentant par collège — collectivités, acteurs "
                "économiques, associations, habitants — et décide des évolutions au consentement ; ses "
                "décisions sont publiées. Toute personne qui contribue peut rejoindre la communauté. La "
                "communauté de communes s'engage à financer l'hébergement pendant trois ans."
            ),
            themes=["mobilité", "inclusion", "transition écologique", "ruralité"],
            indicators=[
                IndicatorIn("Trajets solidaires réalisés", "trajets/mois"),
                IndicatorIn("Personnes sans voiture accompagnées", "personnes"),
                IndicatorIn("Émissions de CO2 évitées", "tCO2e/an"),
                IndicatorIn("Bénévolat valorisé", "heures"),
            ],
            pool_cents=_euros(60_000),
            deadline=datetime(2027, 6, 30, 21, 59, tzinfo=UTC),  # 23 h 59, heure de Paris
        ),
    ),
    ChallengeSeed(
        key="alimentation",
        organization=CC_VAL_DE_VIONNE,
        author="claire.martin",
        territory=INTERCOMMUNALITE.code,
        publish=True,
        call=ChallengeCreate(
            title="Alimentation locale pour les cantines scolaires",
            problem=(
                "Chaque jour d'école, la cuisine centrale intercommunale prépare 1 400 repas pour les onze "
                "écoles et le collège du Val de Vionne. Moins de 15 % des produits viennent du territoire, "
                "alors que soixante fermes y produisent légumes, viande, lait et céréales. La loi EGalim "
                "demande 50 % de produits durables et de qualité, dont 20 % de bio : nous en sommes loin.\n\n"
                "Les obstacles sont connus. Les producteurs n'ont ni le temps ni les outils pour répondre "
                "aux marchés publics ; la cuisine centrale n'a pas de légumerie pour traiter des légumes "
                "bruts ; les volumes et les calendriers ne se rencontrent pas ; et un quart des repas "
                "finit à la poubelle.\n\n"
                "Le défi : porter à 40 % la part de produits locaux dans les repas d'ici la rentrée 2028, "
                "sans augmenter le prix payé par les familles, en rémunérant justement les producteurs et "
                "en réduisant de moitié le gaspillage. Les enfants et leurs parents sont associés à la "
                "démarche : l'alimentation est aussi une affaire d'éducation et de lien social, au cœur "
                "de notre projet alimentaire territorial (PAT)."
            ),
            licence="CC-BY-4.0",
            cost_ceiling_cents=_euros(30_000),
            externalities=(
                "Prix du repas inchangé pour les familles (la tarification sociale est maintenue). "
                "Circuits courts (moins de 80 km) et pratiques agroécologiques privilégiés. Moins "
                "d'emballages ; les biodéchets sont compostés sur place. Les solutions respectent la "
                "commande publique et les règles sanitaires (HACCP)."
            ),
            commons_governance=(
                "Recettes, fiches techniques, calendriers de production et base des producteurs sont des "
                "communs : publiés sous licence ouverte (CC-BY 4.0 pour les contenus, ODbL pour les données) "
                "et enrichis par toutes et tous. Quatre collèges de poids égal — producteurs, parents et "
                "enseignants, cuisiniers, collectivités — co-pilotent le commun. Un bilan public est "
                "présenté chaque année en conseil communautaire."
            ),
            themes=["alimentation", "agriculture", "éducation", "circuits courts"],
            indicators=[
                IndicatorIn("Part de produits locaux dans les repas", "%"),
                IndicatorIn("Producteurs du territoire engagés", "producteurs"),
                IndicatorIn("Gaspillage alimentaire", "g/repas"),
                IndicatorIn("Enfants ayant participé à un atelier", "enfants"),
            ],
            pool_cents=_euros(45_000),
            deadline=datetime(2027, 9, 30, 21, 59, tzinfo=UTC),  # 23 h 59, heure de Paris
        ),
    ),
    ChallengeSeed(
        key="tiers-lieu",
        organization=CC_VAL_DE_VIONNE,
        author="claire.martin",
        territory="58901",
        publish=False,
        call=ChallengeCreate(
            title="Tiers-lieu et réemploi dans l'ancienne gare",
            problem=(
                "L'ancienne gare de Saint-Aubin-sur-Vionne, propriété de la communauté de communes, est "
                "vide depuis 2019. Dans le même temps, la Ressourcerie du Val refuse des dons faute de "
                "place, les artisans cherchent un atelier partagé et les habitants réclament un lieu où se "
                "retrouver, réparer, apprendre.\n\n"
                "Le défi : faire de la gare un tiers-lieu ouvert à tous — atelier de réparation, espace de "
                "réemploi, coworking, café associatif — géré en commun par ceux qui le font vivre, et "
                "économiquement viable après trois ans."
            ),
            licence="CERN-OHL-S-2.0",
            cost_ceiling_cents=_euros(50_000),
            externalities=(
                "Au moins 30 % de matériaux de réemploi dans l'aménagement. Lieu accessible aux personnes à "
                "mobilité réduite. Pas de concurrence déloyale avec les commerces du bourg."
            ),
            commons_governance=(
                "Plans du mobilier et de l'aménagement publiés sous licence CERN-OHL-S ; une SCIC à "
                "constituer réunira usagers, salariés, associations, entreprises et collectivités."
            ),
            themes=["tiers-lieu", "réemploi", "économie circulaire", "lien social"],
            indicators=[
                IndicatorIn("Objets réparés ou réemployés", "kg/an"),
                IndicatorIn("Personnes accueillies", "personnes/mois"),
                IndicatorIn("Emplois créés", "ETP"),
            ],
            pool_cents=_euros(30_000),
            deadline=datetime(2027, 12, 15, 22, 59, tzinfo=UTC),  # 23 h 59, heure de Paris
        ),
    ),
)

PROJECTS: tuple[ProjectSeed, ...] = (
    ProjectSeed(
        key="covoit",
        challenge="mobilite",
        lead="lea.moreau",
        project=ProjectCreate(
            title="Covoit'Vionne : covoiturage solidaire entre villages",
            summary=(
                "Un réseau de covoiturage de proximité : des arrêts signalés dans chaque village, une "
                "application libre et une permanence téléphonique pour celles et ceux qui n'ont pas de "
                "smartphone. Les conducteurs bénévoles sont défrayés 0,10 € par kilomètre."
            ),
            team=(
                "Léa Moreau, infirmière libérale qui voit chaque semaine des patients renoncer à leurs "
                "soins ; le Collectif des habitants de Montclar ; Karim Haddad pour le développement."
            ),
            modes_of_action=(
                "Douze arrêts de covoiturage matérialisés, une application web libre, une ligne "
                "téléphonique tenue à tour de rôle par des bénévoles, une charte du covoiturage solidaire."
            ),
            partnerships=(
                "Commune de Saint-Aubin (terrain d'expérimentation), Fondation des Territoires solidaires "
                "(amorçage), Autocars Lambert (mécénat), L'Écho du Val (relais)."
            ),
            governance=(
                "Un comité d'usagers et de conducteurs se réunit tous les deux mois ; les décisions se "
                "prennent au consentement et les comptes sont publics."
            ),
            commons_rules=(
                "Code sous AGPL, carte des arrêts sous ODbL, guides sous CC-BY-SA : tout territoire peut "
                "reprendre le dispositif."
            ),
            citizen_involvement=(
                "Les arrêts ont été choisis lors de trois marches exploratoires avec les habitants ; les "
                "conducteurs et passagers siègent au comité."
            ),
            community_animation=(
                "Un café-covoiturage mensuel au marché de Saint-Aubin et une lettre d'information trimestrielle."
            ),
            needs=[
                MoneyNeedIn("Application libre et hébergement", _euros(4_000), _euros(8_000)),
                TimeNeedIn("Conducteurs et conductrices bénévoles", _hours(200), _hours(600), "Conduite"),
                SkillNeedIn("Développement web", "Développement web (logiciel libre)", 1, 2),
                MoneyNeedIn("Panneaux des arrêts", _euros(1_500), _euros(3_000)),
            ],
        ),
    ),
    ProjectSeed(
        key="garage",
        challenge="mobilite",
        lead="nadia.benali",
        project=ProjectCreate(
            title="Garage solidaire et voitures à 3 € par jour",
            summary=(
                "Un garage associatif où les personnes aux revenus modestes font réparer leur voiture au "
                "prix des pièces, et une petite flotte de véhicules loués 3 € par jour pour aller "
                "travailler ou se former."
            ),
            team="Roule ma Vionne : une coordinatrice salariée, quatre mécaniciens bénévoles.",
            modes_of_action=(
                "Atelier ouvert trois jours par semaine, réparations encadrées où l'usager met la main à "
                "la pâte, location solidaire sur prescription des travailleurs sociaux."
            ),
            partnerships=(
                "La Ressourcerie du Val (pièces de réemploi), Menuiserie Chevalier, Fondation des "
                "Territoires solidaires, France Travail et les services sociaux du département."
            ),
            governance="Association loi 1901 ; les usagers élisent deux membres du conseil d'administration.",
            commons_rules=(
                "Fiches de réparation et modèle économique publiés sous CC-BY-SA pour essaimer dans "
                "d'autres territoires."
            ),
            citizen_involvement="Les usagers participent aux réparations et peuvent devenir bénévoles.",
            community_animation="Ateliers « entretenir sa voiture » chaque mois, ouverts à tous.",
            needs=[
                MoneyNeedIn("Pont élévateur et outillage", _euros(12_000), _euros(18_000)),
                TimeNeedIn("Mécanique bénévole", _hours(100), _hours(300), "Mécanique automobile"),
                SkillNeedIn("Gestion de la flotte", "Gestion de flotte de véhicules"),
            ],
        ),
    ),
    ProjectSeed(
        key="tad",
        challenge="mobilite",
        lead="hugo.lambert",
        project=ProjectCreate(
            title="Transport à la demande vers les rendez-vous médicaux",
            summary=(
                "Un minibus accessible, réservable la veille par téléphone, qui conduit les personnes "
                "âgées et isolées à leurs rendez-vous médicaux et les ramène, avec un accompagnateur."
            ),
            team="Autocars Lambert (deux chauffeurs), des accompagnateurs bénévoles.",
            modes_of_action=(
                "Tournées mutualisées deux jours par semaine, réservation en mairie ou par téléphone, "
                "accompagnement jusqu'à la salle d'attente."
            ),
            partnerships="Communes du Val, maison de santé de Saint-Aubin, Ressourcerie du Val.",
            governance="Convention annuelle entre l'entreprise, les communes et un comité d'usagers.",
            commons_rules="Méthode de planification des tournées et données de fréquentation en open data.",
            citizen_involvement="Les usagers et leurs familles évaluent le service deux fois par an.",
            community_animation="Une réunion publique par commune au lancement, puis un bilan annuel.",
            needs=[
                MoneyNeedIn("Minibus accessible (reste à charge)", _euros(15_000), _euros(25_000)),
                TimeNeedIn(
                    "Accompagnement des passagers",
                    _hours(150),
                    _hours(400),
                    "Accompagnement de personnes âgées",
                ),
                SkillNeedIn("Planification des tournées", "Logistique"),
            ],
        ),
    ),
    ProjectSeed(
        key="velo",
        challenge="mobilite",
        lead="yanis.robert",
        project=ProjectCreate(
            title="Vélo-école et prêt de vélos à assistance électrique",
            summary=(
                "Apprendre ou réapprendre le vélo, puis emprunter gratuitement un vélo à assistance "
                "électrique pendant un mois dans sa mairie, pour essayer avant d'acheter."
            ),
            team="Yanis Robert, apprenti mécanicien cycle, et trois amis du club de VTT.",
            modes_of_action="Séances de vélo-école le samedi, dix vélos en prêt répartis dans les mairies.",
            partnerships="Commune de Rochebelle (local, assurance), espace France Services, Roule ma Vionne.",
            governance="Un collectif informel, adossé à Roule ma Vionne pour la gestion des fonds.",
            commons_rules="Guide de la vélo-école rurale sous CC-BY-SA.",
            citizen_involvement="Les emprunteurs racontent leur essai et proposent des itinéraires.",
            community_animation="Une balade mensuelle entre villages, ouverte à tous les niveaux.",
            needs=[
                MoneyNeedIn("Dix vélos à assistance électrique", _euros(6_000), _euros(10_000)),
                TimeNeedIn("Séances de vélo-école", _hours(60), _hours(120), "Pédagogie"),
                SkillNeedIn("Réparation de vélos", "Mécanique cycle", 1, 3),
            ],
        ),
    ),
    ProjectSeed(
        key="carte",
        challenge="mobilite",
        lead="mathilde.rousseau",
        project=ProjectCreate(
            title="Carte ouverte des mobilités du Val",
            summary=(
                "Recenser avec les habitants toutes les offres de mobilité du territoire — arrêts, lignes, "
                "covoiturage, prêt de vélos — dans OpenStreetMap et en tirer un diagnostic partagé."
            ),
            team="Mathilde Rousseau et Lucas Henry (Université Loire-Morvan), des habitants cartographes.",
            modes_of_action="Enquête auprès de 500 habitants, cartoparties, tableau de bord public.",
            partnerships="Communauté de communes (données), Covoit'Vionne, Roule ma Vionne.",
            governance="Comité scientifique ouvert aux porteurs de projets de l'appel.",
            commons_rules="Données sous ODbL dans OpenStreetMap, rapport et méthode sous CC-BY.",
            citizen_involvement="Les habitants cartographient leur village et commentent le diagnostic.",
            community_animation="Quatre cartoparties et une restitution publique.",
            needs=[
                MoneyNeedIn("Enquête mobilité auprès des habitants", _euros(3_000), _euros(5_000)),
                TimeNeedIn("Relevés de terrain", _hours(80), _hours(200), "Cartographie OpenStreetMap"),
                SkillNeedIn("Analyse de données", "Science des données"),
            ],
        ),
    ),
    ProjectSeed(
        key="legumerie",
        challenge="alimentation",
        lead="isabelle.morel",
        project=ProjectCreate(
            title="Légumerie partagée du Val de Vionne",
            summary=(
                "Une légumerie où les légumes des maraîchers du Val sont lavés, épluchés et découpés pour "
                "la cuisine centrale, avec des salariés en parcours d'insertion."
            ),
            team="SCIC Légumerie du Val : une directrice, une comptable, deux encadrants techniques.",
            modes_of_action=(
                "Location d'un local agréé, achat des équipements, contrats pluriannuels de volumes et de "
                "prix avec les producteurs et la cuisine centrale."
            ),
            partnerships="Producteurs du Val, cuisine centrale, Fondation des Territoires solidaires.",
            governance=(
                "SCIC à cinq collèges : producteurs, salariés, collectivités, clients, soutiens ; une "
                "personne, une voix."
            ),
            commons_rules="Fiches techniques, plan de maîtrise sanitaire et modèle économique sous CC-BY.",
            citizen_involvement="Les habitants peuvent devenir sociétaires ; journées portes ouvertes.",
            community_animation="Une journée annuelle « de la ferme à l'assiette » avec les écoles.",
            needs=[
                MoneyNeedIn("Équipement de la légumerie", _euros(20_000), _euros(30_000)),
                TimeNeedIn("Journées de préparation", _hours(120), _hours(240), "Cuisine collective"),
                SkillNeedIn("Hygiène alimentaire", "HACCP"),
            ],
        ),
    ),
    ProjectSeed(
        key="plateforme",
        challenge="alimentation",
        lead="olivier.marchand",
        project=ProjectCreate(
            title="Commandes groupées producteurs–cantines",
            summary=(
                "Un outil libre où les producteurs annoncent leurs disponibilités de la semaine et où la "
                "cuisine centrale passe ses commandes groupées, dans le respect de la commande publique."
            ),
            team="Olivier Marchand et six producteurs du Val, Karim Haddad pour le développement.",
            modes_of_action="Catalogue hebdomadaire, tournée de livraison mutualisée, facturation unique.",
            partnerships="Cuisine centrale, SCIC Légumerie du Val, chambre d'agriculture.",
            governance="Le comité des producteurs fixe les règles du catalogue, avec la cuisine centrale.",
            commons_rules="Logiciel sous AGPL ; base des producteurs sous ODbL.",
            citizen_involvement="Les familles voient sur le menu l'origine de chaque produit.",
            community_animation="Une rencontre producteurs–cuisiniers à chaque changement de saison.",
            needs=[
                MoneyNeedIn("Développement et hébergement", _euros(5_000), _euros(9_000)),
                TimeNeedIn(
                    "Référencement des producteurs",
                    _hours(40),
                    _hours(80),
                    "Connaissance des filières agricoles",
                ),
                SkillNeedIn("Développement web", "Développement web (logiciel libre)", 1, 2),
            ],
        ),
    ),
    ProjectSeed(
        key="potagers",
        challenge="alimentation",
        lead="ines.blanc",
        project=ProjectCreate(
            title="Potagers pédagogiques dans les écoles",
            # Every extra bac de culture is used: pledges beyond a need's maximum are welcome.
            stretch_goals=True,
            summary=(
                "Un potager dans chaque école du Val, cultivé par les enfants avec des jardiniers "
                "bénévoles ; les récoltes rejoignent la cantine une fois par mois."
            ),
            team="Le collectif des parents d'élèves, les Jardins de la Vionne, trois enseignantes.",
            modes_of_action=(
                "Bacs de culture, ateliers hebdomadaires sur le temps périscolaire, repas « du potager »."
            ),
            partnerships="Commune de Saint-Aubin (parcelle), Jardins de la Vionne, cuisine centrale.",
            governance="Un comité par école : parents, enseignants, jardiniers, agents de la commune.",
            commons_rules="Calendrier des cultures et fiches d'ateliers sous CC-BY.",
            citizen_involvement="Parents et grands-parents jardiniers encadrent les ateliers.",
            community_animation="Une fête des récoltes en juin dans chaque école.",
            needs=[
                MoneyNeedIn("Outils, semences et bacs de culture", _euros(2_500), _euros(4_000)),
                TimeNeedIn("Ateliers jardinage avec les enfants", _hours(100), _hours(200), "Jardinage"),
                SkillNeedIn("Animation pédagogique", "Animation", 2, 3),
            ],
        ),
    ),
    ProjectSeed(
        key="zero-gaspi",
        challenge="alimentation",
        lead="camille.perrin",
        project=ProjectCreate(
            title="Zéro gaspi à la cantine",
            summary=(
                "Mesurer le gaspillage repas après repas avec les élèves, adapter les portions et les "
                "recettes, et diviser les déchets par deux en un an."
            ),
            team="Camille Perrin (Jardins de la Vionne), des parents et des délégués de classe.",
            modes_of_action="Pesées hebdomadaires, défis entre tables, commissions menus avec les élèves.",
            partnerships="Cuisine centrale, Radio Vionne FM, communauté de communes.",
            governance="Une commission menus réunit élèves, cuisiniers, parents et élus chaque trimestre.",
            commons_rules="Protocole de pesée et supports de sensibilisation sous CC-BY.",
            citizen_involvement="Les élèves pèsent, analysent et proposent eux-mêmes les changements.",
            community_animation="Une émission mensuelle sur Radio Vionne FM avec les délégués de classe.",
            needs=[
                MoneyNeedIn("Balances et supports de sensibilisation", _euros(1_500), _euros(3_000)),
                TimeNeedIn("Pesées et animations à la cantine", _hours(50), _hours(100), "Animation"),
                SkillNeedIn("Communication", "Communication"),
            ],
        ),
    ),
)

# Short names for the participation forms and the resources offered, to keep the list readable.
SUPPORT, FINANCE, RESOURCES = (
    ParticipationForm.SUPPORT,
    ParticipationForm.FINANCE,
    ParticipationForm.RESOURCES,
)
MONEY, TIME, SKILLS = ResourceOffer.MONEY, ResourceOffer.TIME, ResourceOffer.SKILLS
NETWORK, TERRITORY = ResourceOffer.NETWORK, ResourceOffer.TERRITORY


@dataclass(frozen=True, slots=True)
class FunderSeed:
    """A funder joining a call's pool beside the authority (whose own pool is the call's ``pool_cents``)."""

    challenge: str  # challenge key
    organization: str  # organization name
    funder: FunderCreate
    received: bool


# The calls' authority marks its own pools received; other funders join with their rules and caps.
RECEIVED_POOLS: tuple[str, ...] = ("mobilite", "alimentation")
FUNDERS: tuple[FunderSeed, ...] = (
    FunderSeed(
        "mobilite",
        "Fondation des Territoires solidaires",
        FunderCreate(
            organization_id=1,  # replaced by the organization's id when loading
            amount_cents=_euros(20_000),
            kinds=[OrganizationKind.ASSOCIATION, OrganizationKind.HABITANT],
            max_share_percent=70,
            max_cents=_euros(8_000),
        ),
        received=True,
    ),
    FunderSeed(
        "alimentation",
        "Commune de Saint-Aubin-sur-Vionne",
        FunderCreate(organization_id=1, amount_cents=_euros(5_000), themes=["alimentation"]),
        received=False,
    ),
)

# Own revenue declared by the leads: services the projects already sell (project key, line).
REVENUE: tuple[tuple[str, RevenueLineCreate], ...] = (
    ("garage", RevenueLineCreate(_euros(4_800), "Réparations facturées à prix solidaire", "2026")),
    ("garage", RevenueLineCreate(_euros(1_200), "Location de voitures à 3 € par jour", "2026")),
)

JOINS: tuple[JoinSeed, ...] = (
    JoinSeed(
        "covoit",
        "romain.gauthier",
        MembershipCreate(
            [SUPPORT],
            offers="Un article dans L'Écho du Val à chaque étape et un encart sur les arrêts.",
            expects="Des récits concrets d'habitants et des chiffres de fréquentation pour nos lecteurs.",
        ),
    ),
    JoinSeed(
        "covoit",
        "anne.leroy",
        MembershipCreate(
            [FINANCE, RESOURCES],
            [MONEY, NETWORK],
            offers="Une aide d'amorçage et la mise en relation avec d'autres territoires ruraux.",
            expects="Un bilan d'impact partagé à un an et la publication des outils en libre.",
        ),
    ),
    JoinSeed(
        "covoit",
        "bernard.lefevre",
        MembershipCreate(
            [SUPPORT, RESOURCES],
            [TERRITORY, NETWORK],
            offers="Saint-Aubin comme terrain d'expérimentation : trois arrêts, le parking de la mairie.",
            expects="Un service pour les habitants sans voiture et moins de voitures dans le bourg.",
        ),
    ),
    JoinSeed(
        "covoit",
        "paul.bernard",
        MembershipCreate(
            [FINANCE, RESOURCES],
            [MONEY, TIME],
            offers="Deux matinées de conduite par semaine et un petit don.",
            expects="Rendre service et rencontrer du monde depuis la retraite.",
        ),
    ),
    JoinSeed(
        "covoit",
        "karim.haddad",
        MembershipCreate(
            [RESOURCES],
            [SKILLS],
            offers="Le développement de l'application, en logiciel libre.",
            expects="Un projet utile à mon village, et des références pour mon activité d'indépendant.",
        ),
    ),
    JoinSeed(
        "covoit",
        "hugo.lambert",
        MembershipCreate(
            [FINANCE],
            [MONEY],
            offers="Un mécénat de l'entreprise.",
            expects="Ancrage territorial : le covoiturage rabat des passagers vers nos lignes de car.",
        ),
    ),
    JoinSeed(
        "covoit",
        "manon.petit",
        MembershipCreate(
            [SUPPORT],
            offers="Faire connaître le réseau aux parents de l'école des Essarts.",
            expects="Pouvoir aller travailler à Saint-Aubin sans voiture.",
        ),
    ),
    JoinSeed(
        "covoit",
        "gerard.faure",
        MembershipCreate(
            [SUPPORT, RESOURCES],
            [TIME],
            offers="Quelques trajets par mois vers la gare.",
            expects="Que les Essarts ne restent pas à l'écart.",
        ),
    ),
    JoinSeed(
        "garage",
        "marc.dupuis",
        MembershipCreate(
            [RESOURCES],
            [TIME, SKILLS],
            offers="Trente ans de mécanique, deux jours par semaine.",
            expects="Transmettre un savoir-faire à des jeunes.",
        ),
    ),
    JoinSeed(
        "garage",
        "antoine.chevalier",
        MembershipCreate(
            [FINANCE, RESOURCES],
            [MONEY, SKILLS],
            offers="Un don et l'aménagement de l'atelier en bois de réemploi.",
            expects="Des salariés qui peuvent venir travailler, et une vitrine pour le réemploi.",
        ),
    ),
    JoinSeed(
        "garage",
        "elodie.fabre",
        MembershipCreate(
            [RESOURCES],
            [NETWORK],
            offers="Les pièces détachées de réemploi collectées par la Ressourcerie.",
            expects="Un débouché pour les pièces et une coopération durable entre nos associations.",
        ),
    ),
    JoinSeed(
        "garage",
        "anne.leroy",
        MembershipCreate(
            [FINANCE],
            [MONEY],
            offers="Une subvention d'investissement.",
            expects="Un modèle économique hybride crédible à trois ans (règle des quatre tiers).",
        ),
    ),
    JoinSeed(
        "tad",
        "jeanne.colin",
        MembershipCreate(
            [RESOURCES],
            [TIME],
            offers="Accompagner les passagers le mardi.",
            expects="Que ma voisine puisse aller seule à ses rendez-vous.",
        ),
    ),
    JoinSeed(
        "velo",
        "francois.bonnet",
        MembershipCreate(
            [SUPPORT, RESOURCES],
            [TERRITORY],
            offers="La cour de l'école de Rochebelle le samedi et un local pour les vélos.",
            expects="Des habitants qui reprennent le vélo pour les petits trajets.",
        ),
    ),
    JoinSeed(
        "velo",
        "aurelie.simon",
        MembershipCreate(
            [RESOURCES],
            [TIME, NETWORK],
            offers="Inscriptions à l'espace France Services et relais auprès des demandeurs d'emploi.",
            expects="Une solution de mobilité à proposer aux personnes que j'accompagne.",
        ),
    ),
    JoinSeed(
        "carte",
        "lucas.henry",
        MembershipCreate(
            [RESOURCES],
            [TIME, SKILLS],
            offers="Mon temps de thèse : enquête, cartographie et analyse.",
            expects="Un terrain de recherche et des données pour ma thèse.",
        ),
    ),
    JoinSeed(
        "legumerie",
        "mathilde.rousseau",
        MembershipCreate(
            [RESOURCES],
            [SKILLS],
            offers="L'évaluation de l'utilité sociale de la légumerie.",
            expects="Un objet d'étude sur les coopérations entre producteurs et collectivités.",
        ),
    ),
    JoinSeed(
        "legumerie",
        "anne.leroy",
        MembershipCreate(
            [FINANCE],
            [MONEY],
            offers="Une subvention d'équipement.",
            expects="Des emplois d'insertion durables sur le territoire.",
        ),
    ),
    JoinSeed(
        "legumerie",
        "sophie.garnier",
        MembershipCreate(
            [RESOURCES],
            [SKILLS],
            offers="L'expertise de la cuisine centrale en hygiène et en menus.",
            expects="Des légumes locaux prêts à cuisiner, livrés à l'heure.",
        ),
    ),
    JoinSeed(
        "legumerie",
        "olivier.marchand",
        MembershipCreate(
            [FINANCE, RESOURCES],
            [MONEY, NETWORK],
            offers="Une part sociale et le lien avec les maraîchers du Val.",
            expects="Un débouché stable pour mes légumes, y compris les déclassés.",
        ),
    ),
    JoinSeed(
        "legumerie",
        "laura.fontaine",
        MembershipCreate(
            [FINANCE],
            [MONEY],
            offers="Une part sociale à titre personnel.",
            expects="Que la SCIC reste entre les mains de ceux qui la font vivre.",
        ),
    ),
    JoinSeed(
        "plateforme",
        "karim.haddad",
        MembershipCreate(
            [RESOURCES],
            [SKILLS],
            offers="Le développement de l'outil, en réutilisant le code de Covoit'Vionne.",
            expects="Des communs logiciels qui servent à plusieurs projets du territoire.",
        ),
    ),
    JoinSeed(
        "plateforme",
        "chantal.mercier",
        MembershipCreate(
            [RESOURCES],
            [TIME, NETWORK],
            offers="Mon carnet d'adresses de quarante ans d'agriculture dans le Val.",
            expects="Que les jeunes installés vivent de leur travail.",
        ),
    ),
    JoinSeed(
        "potagers",
        "bernard.lefevre",
        MembershipCreate(
            [RESOURCES],
            [TERRITORY],
            offers="La parcelle communale derrière l'école de Saint-Aubin.",
            expects="Une école ouverte sur le village.",
        ),
    ),
    JoinSeed(
        "potagers",
        "thomas.girard",
        MembershipCreate(
            [FINANCE, RESOURCES],
            [MONEY, TIME, SKILLS],
            offers="Des jardiniers, des semences paysannes et un don de l'association.",
            expects="De nouveaux adhérents parmi les familles.",
        ),
    ),
    JoinSeed(
        "zero-gaspi",
        "emilie.clement",
        MembershipCreate(
            [SUPPORT, RESOURCES],
            [SKILLS, NETWORK],
            offers="Une émission mensuelle et l'accompagnement des élèves à la prise de parole.",
            expects="Des voix d'enfants à l'antenne et des histoires du territoire.",
        ),
    ),
    JoinSeed(
        "zero-gaspi",
        "julien.roux",
        MembershipCreate(
            [SUPPORT],
            offers="La mise en relation avec les directions d'école et la cuisine centrale.",
            expects="Des résultats mesurés à présenter en conseil communautaire.",
        ),
    ),
)

PLEDGES: tuple[PledgeSeed, ...] = (
    # Covoit'Vionne: the money need reaches its minimum exactly, the time need falls short; the two
    # organizations' gifts are paid, so the project has money on its account for its expenses.
    PledgeSeed(
        "anne.leroy",
        "covoit",
        "Application libre et hébergement",
        _euros(2_500),
        "Aide d'amorçage.",
        on_behalf_of="Fondation des Territoires solidaires",
        confirmed=True,
    ),
    PledgeSeed(
        "hugo.lambert",
        "covoit",
        "Application libre et hébergement",
        _euros(1_000),
        "Mécénat.",
        on_behalf_of="Autocars Lambert",
        confirmed=True,
    ),
    PledgeSeed("chantal.mercier", "covoit", "Application libre et hébergement", _euros(300)),
    PledgeSeed("paul.bernard", "covoit", "Application libre et hébergement", _euros(150)),
    PledgeSeed("manon.petit", "covoit", "Application libre et hébergement", _euros(50)),
    PledgeSeed(
        "gerard.faure",
        "covoit",
        "Application libre et hébergement",
        _euros(80),
        "Finalement versé à la fête de village.",
        withdrawn=True,
    ),
    PledgeSeed("paul.bernard", "covoit", "Conducteurs et conductrices bénévoles", _hours(80), "Mardi, jeudi."),
    PledgeSeed("gerard.faure", "covoit", "Conducteurs et conductrices bénévoles", _hours(40)),
    PledgeSeed("chantal.mercier", "covoit", "Conducteurs et conductrices bénévoles", _hours(30)),
    PledgeSeed("karim.haddad", "covoit", "Développement web", note="Disponible le soir et le week-end."),
    # Garage solidaire: volunteers are there, the equipment is not funded yet.
    PledgeSeed("anne.leroy", "garage", "Pont élévateur et outillage", _euros(5_000)),
    PledgeSeed("hugo.lambert", "garage", "Pont élévateur et outillage", _euros(2_000)),
    PledgeSeed("antoine.chevalier", "garage", "Pont élévateur et outillage", _euros(500)),
    PledgeSeed("marc.dupuis", "garage", "Mécanique bénévole", _hours(120), "Lundi et vendredi."),
    # Transport à la demande: it has just started.
    PledgeSeed("paul.bernard", "tad", "Minibus accessible (reste à charge)", _euros(200)),
    PledgeSeed("jeanne.colin", "tad", "Accompagnement des passagers", _hours(40)),
    # Vélo-école.
    PledgeSeed("francois.bonnet", "velo", "Dix vélos à assistance électrique", _euros(300)),
    PledgeSeed("manon.petit", "velo", "Dix vélos à assistance électrique", _euros(60)),
    PledgeSeed("yanis.robert", "velo", "Séances de vélo-école", _hours(30)),
    PledgeSeed("aurelie.simon", "velo", "Séances de vélo-école", _hours(20)),
    PledgeSeed("marc.dupuis", "velo", "Réparation de vélos"),
    # Carte ouverte: every need reaches its minimum.
    PledgeSeed("anne.leroy", "carte", "Enquête mobilité auprès des habitants", _euros(3_000)),
    PledgeSeed("lucas.henry", "carte", "Relevés de terrain", _hours(60)),
    PledgeSeed("karim.haddad", "carte", "Relevés de terrain", _hours(24)),
    PledgeSeed("lucas.henry", "carte", "Analyse de données"),
    # Légumerie.
    PledgeSeed("anne.leroy", "legumerie", "Équipement de la légumerie", _euros(8_000)),
    PledgeSeed("olivier.marchand", "legumerie", "Équipement de la légumerie", _euros(1_000)),
    PledgeSeed("laura.fontaine", "legumerie", "Équipement de la légumerie", _euros(200)),
    PledgeSeed("camille.perrin", "legumerie", "Journées de préparation", _hours(24)),
    PledgeSeed("sophie.garnier", "legumerie", "Hygiène alimentaire", note="Formation des équipes."),
    # Commandes groupées: the time need is exceeded.
    PledgeSeed("isabelle.morel", "plateforme", "Développement et hébergement", _euros(1_500)),
    PledgeSeed("chantal.mercier", "plateforme", "Développement et hébergement", _euros(200)),
    PledgeSeed("chantal.mercier", "plateforme", "Référencement des producteurs", _hours(45)),
    PledgeSeed("karim.haddad", "plateforme", "Développement web"),
    # Potagers pédagogiques: the money need is exceeded.
    PledgeSeed("anne.leroy", "potagers", "Outils, semences et bacs de culture", _euros(2_000)),
    PledgeSeed("thomas.girard", "potagers", "Outils, semences et bacs de culture", _euros(500)),
    PledgeSeed("olivier.marchand", "potagers", "Outils, semences et bacs de culture", _euros(300)),
    PledgeSeed("ines.blanc", "potagers", "Outils, semences et bacs de culture", _euros(100)),
    PledgeSeed("thomas.girard", "potagers", "Ateliers jardinage avec les enfants", _hours(40)),
    PledgeSeed("chantal.mercier", "potagers", "Ateliers jardinage avec les enfants", _hours(30)),
    PledgeSeed("jeanne.colin", "potagers", "Ateliers jardinage avec les enfants", _hours(20)),
    PledgeSeed("camille.perrin", "potagers", "Animation pédagogique"),
    # Zéro gaspi.
    PledgeSeed("laura.fontaine", "zero-gaspi", "Balances et supports de sensibilisation", _euros(150)),
    PledgeSeed("paul.bernard", "zero-gaspi", "Balances et supports de sensibilisation", _euros(50)),
    PledgeSeed("ines.blanc", "zero-gaspi", "Pesées et animations à la cantine", _hours(10)),
    PledgeSeed("manon.petit", "zero-gaspi", "Pesées et animations à la cantine", _hours(12)),
    PledgeSeed("emilie.clement", "zero-gaspi", "Communication"),
)


@dataclass(frozen=True, slots=True)
class RoundSeed:
    """A co-budget of a call, declared by the call's author.

    Its dates are offsets from the moment the demo is loaded (``round`` carries placeholders), so a
    fresh demo always has a vote open, a registration open and a result published. ``candidates``:
    the projects (by key) and what each asks; none: every project of the call. ``close``: the author
    closes it right after the ballots, and its result is computed and paid out at once.
    """

    key: str
    challenge: str  # challenge key
    opens: timedelta  # from the load; negative: already open
    closes: timedelta
    round: RoundCreate
    candidates: tuple[tuple[str, int], ...] = ()  # (project key, cost in cents)
    close: bool = False


@dataclass(frozen=True, slots=True)
class BallotSeed:
    round: str  # round key
    voter: str  # login
    approvals: tuple[str, ...]  # project keys


@dataclass(frozen=True, slots=True)
class DelegationSeed:
    """Part of a wallet handed to another participant, who spreads it with their own."""

    round: str  # round key
    delegator: str  # login
    delegate: str  # login
    percent: int


@dataclass(frozen=True, slots=True)
class ExpenseSeed:
    """An expense reported by a member, approved by ``approver`` and paid by ``payer`` when they are given."""

    project: str  # project key
    author: str  # login
    amount_cents: int
    purpose: str
    receipt_reference: str
    days_ago: int  # the receipt's day, before the load
    approver: str = ""  # login
    payer: str = ""  # login (a lead)


_REPLACED = datetime(2026, 1, 1, tzinfo=UTC)  # the rounds' dates, replaced by the load time and offsets

ROUNDS: tuple[RoundSeed, ...] = (
    RoundSeed(
        key="vote-mobilite",
        challenge="mobilite",
        opens=-timedelta(days=28),
        # Closed by its author as soon as the ballots are in: a published result, paid out of the pool.
        closes=timedelta(minutes=30),
        close=True,
        round=RoundCreate(
            title="Budget participatif mobilité 2026 : les habitants choisissent",
            rule=RoundRule.EQUAL_SHARES,
            budget_cents=_euros(25_000),
            opens_at=_REPLACED,
            closes_at=_REPLACED,
            completion="add1",
            max_choices=3,
        ),
    ),
    RoundSeed(
        key="vote-cantines",
        challenge="alimentation",
        opens=-timedelta(days=7),
        closes=timedelta(days=24),
        round=RoundCreate(
            title="Cantines 2027 : familles, producteurs et collectivités votent",
            rule=RoundRule.EQUAL_SHARES,
            budget_cents=_euros(25_000),
            opens_at=_REPLACED,
            closes_at=_REPLACED,
            completion="add1",
            # Paid to each candidate when the round is declared, out of the pool already received.
            seed_cents=_euros(250),
            # The call's co-governance: each college weighs the same, whatever its number of voters.
            colleges=[
                CollegeIn("Familles et habitants", 1, ["habitant", "association", "media"]),
                CollegeIn("Producteurs et entreprises", 1, ["entreprise"]),
                CollegeIn("Collectivités et partenaires", 1, ["collectivite", "universite", "fondation"]),
            ],
        ),
    ),
    RoundSeed(
        key="abondement-mobilite",
        challenge="mobilite",
        opens=timedelta(0),
        closes=timedelta(days=42),
        round=RoundCreate(
            title="Dons abondés pour la mobilité : le nombre de donateurs compte plus que les montants",
            rule=RoundRule.QUADRATIC,
            budget_cents=_euros(6_000),
            opens_at=_REPLACED,
            closes_at=_REPLACED,
            project_cap_cents=_euros(2_500),
        ),
    ),
    RoundSeed(
        key="portefeuilles-cantines",
        challenge="alimentation",
        opens=timedelta(days=4),
        closes=timedelta(days=39),
        # The small projects only: each is funded if the wallets put at least its cost on it.
        candidates=(("plateforme", _euros(5_000)), ("potagers", _euros(2_500)), ("zero-gaspi", _euros(1_500))),
        round=RoundCreate(
            title="Portefeuilles citoyens : 8 000 € à répartir entre les petits projets des cantines",
            rule=RoundRule.WALLETS,
            budget_cents=_euros(8_000),
            opens_at=_REPLACED,
            closes_at=_REPLACED,
            delegation_allowed=True,
            # Families hold half of the pool, producers and partners a quarter each, whatever their numbers.
            colleges=[
                CollegeIn("Familles et habitants", 2, ["habitant", "association", "media"]),
                CollegeIn("Producteurs et entreprises", 1, ["entreprise"]),
                CollegeIn("Collectivités et partenaires", 1, ["collectivite", "universite", "fondation"]),
            ],
        ),
    ),
)

BALLOTS: tuple[BallotSeed, ...] = (
    # The mobility vote, closed: twelve inhabitants, volunteers and partners.
    BallotSeed("vote-mobilite", "manon.petit", ("covoit", "velo")),
    BallotSeed("vote-mobilite", "gerard.faure", ("covoit", "tad")),
    BallotSeed("vote-mobilite", "chantal.mercier", ("tad", "covoit")),
    BallotSeed("vote-mobilite", "paul.bernard", ("covoit", "tad", "garage")),
    BallotSeed("vote-mobilite", "karim.haddad", ("covoit", "garage")),
    BallotSeed("vote-mobilite", "aurelie.simon", ("velo", "garage")),
    BallotSeed("vote-mobilite", "yanis.robert", ("velo", "garage")),
    BallotSeed("vote-mobilite", "marc.dupuis", ("garage", "velo")),
    BallotSeed("vote-mobilite", "jeanne.colin", ("tad",)),
    BallotSeed("vote-mobilite", "ines.blanc", ("velo", "covoit")),
    BallotSeed("vote-mobilite", "lucas.henry", ("carte", "covoit")),
    BallotSeed("vote-mobilite", "romain.gauthier", ("garage", "covoit")),
    # The school meals vote, open: the first ballots of each college.
    BallotSeed("vote-cantines", "ines.blanc", ("potagers", "zero-gaspi")),
    BallotSeed("vote-cantines", "manon.petit", ("potagers",)),
    BallotSeed("vote-cantines", "olivier.marchand", ("legumerie", "plateforme")),
    BallotSeed("vote-cantines", "sophie.garnier", ("legumerie", "zero-gaspi")),
    BallotSeed("vote-cantines", "bernard.lefevre", ("potagers", "legumerie")),
)

# Registered for the wallet round before it opens; each will get an equal share of its budget.
REGISTRATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "portefeuilles-cantines",
        (
            "ines.blanc",
            "thomas.girard",
            "camille.perrin",
            "olivier.marchand",
            "laura.fontaine",
            "chantal.mercier",
            "sophie.garnier",
            "gerard.faure",
        ),
    ),
)
DELEGATIONS: tuple[DelegationSeed, ...] = (
    # Chantal trusts the young market gardener to spread her wallet among the producers' projects.
    DelegationSeed("portefeuilles-cantines", "chantal.mercier", "olivier.marchand", 100),
)

# Gifts made once the matching round is open: it matches them, quadratically (many small gifts weigh most).
# Received by the projects' leads: a matching round matches only money received, never promises.
MATCHED_PLEDGES: tuple[PledgeSeed, ...] = (
    PledgeSeed(
        "jeanne.colin", "tad", "Minibus accessible (reste à charge)", _euros(30), "Pour ma voisine.", confirmed=True
    ),
    PledgeSeed("gerard.faure", "tad", "Minibus accessible (reste à charge)", _euros(50), confirmed=True),
    PledgeSeed("chantal.mercier", "tad", "Minibus accessible (reste à charge)", _euros(40), confirmed=True),
    PledgeSeed("manon.petit", "tad", "Minibus accessible (reste à charge)", _euros(10), confirmed=True),
    PledgeSeed("marc.dupuis", "garage", "Pont élévateur et outillage", _euros(50), confirmed=True),
    PledgeSeed("aurelie.simon", "garage", "Pont élévateur et outillage", _euros(20), confirmed=True),
    PledgeSeed(
        "yanis.robert", "garage", "Pont élévateur et outillage", _euros(15), "Un petit coup de pouce.", confirmed=True
    ),
    PledgeSeed("karim.haddad", "carte", "Enquête mobilité auprès des habitants", _euros(400), confirmed=True),
)

_ORGANIZATION_ADMINS = {seed.name: seed.admins for seed in ORGANIZATIONS}

EXPENSES: tuple[ExpenseSeed, ...] = (
    ExpenseSeed(
        "covoit",
        "karim.haddad",
        _euros(480),
        "Hébergement de l'application et nom de domaine pour un an",
        "Facture Hébergeur associatif du Morvan n° 2026-0412",
        days_ago=18,
        approver="lea.moreau",
        payer="lea.moreau",
    ),
    ExpenseSeed(
        "covoit",
        "bernard.lefevre",
        _euros(1_140),
        "Trois panneaux d'arrêt de covoiturage à Saint-Aubin-sur-Vionne",
        "Facture Signalétique du Val n° F-2026-311",
        days_ago=3,
    ),
)


# --------------------------------------------------------------------------- the loading


def email(login: str) -> str:
    """The address of a demo account."""
    return f"{login}@{EMAIL_DOMAIN}"


async def load_demo(session: AsyncSession) -> str:
    """Load the demo territory through the use cases and say how to sign in.

    Does nothing when the demo is already loaded. A load interrupted half-way (the use cases
    commit one by one) is refused with a ``Conflict`` rather than completed on top of itself.
    """
    if await session.scalar(select(Territory.id).where(Territory.code == INTERCOMMUNALITE.code)) is not None:
        if await session.scalar(select(User.id).where(User.email == email(PLATFORM_ADMIN.login))) is None:
            raise Conflict(
                "Le territoire de démonstration n'a été chargé qu'en partie. Repartez d'une base vide "
                "(par exemple un nouveau COMMONS_DATA_DIR) puis relancez « commons demo »."
            )
        return f"La démonstration est déjà chargée ({INTERCOMMUNALITE.name}) : rien n'a changé.\n\n" + _logins()

    if await session.scalar(select(User.id).limit(1)) is not None:
        # The demo accounts share a published password: never add them to a real platform.
        raise Conflict(
            "Cette base contient déjà des comptes : la démonstration ne se charge que dans une base vide "
            "(par exemple un nouveau COMMONS_DATA_DIR)."
        )
    territories = await _insert_territories(session)
    people = {person.login: await _sign_up(session, person) for person in PEOPLE}
    organizations = await _create_organizations(session)
    challenges = await _post_challenges(session, people, organizations, territories)
    await _add_funders(session, people, organizations, challenges)
    projects = await _launch_projects(session, people, challenges)
    for join in JOINS:
        await join_project(
            session, actor=people[join.member], project_id=projects[join.project].id, data=join.membership
        )
    leads = {seed.key: people[seed.lead] for seed in PROJECTS}
    for key, line in REVENUE:
        await declare_revenue(session, actor=leads[key], project_id=projects[key].id, data=line)
    for seed in PLEDGES:
        await _pledge(session, people, projects, organizations, seed)
    rounds = await _hold_rounds(session, people, projects, challenges)
    for seed in MATCHED_PLEDGES:
        await _pledge(session, people, projects, organizations, seed)
    for round_ in rounds.values():
        if round_.rule.is_matching:
            # The estimate worker refreshes it from the pledges' events too; now, it shows at once.
            await refresh_estimate(session, round_, seen=None)
    await session.commit()
    await _report_expenses(session, people, projects)
    # The workers recompute these from the events too; doing it now shows right totals at once.
    for project in projects.values():
        await refresh_project_totals(session, project.id)
    for challenge_id in challenges.values():
        await refresh_challenge_totals(session, challenge_id)
    await session.commit()
    await _sign_up(session, PLATFORM_ADMIN, is_platform_admin=True)

    published = sum(seed.publish for seed in CHALLENGES)
    withdrawn = sum(seed.withdrawn for seed in PLEDGES)
    closed = sum(seed.close for seed in ROUNDS)
    return (
        f"Territoire de démonstration chargé : {INTERCOMMUNALITE.name} et {len(TERRITORIES) - 1} communes.\n"
        f"{len(PEOPLE) + 1} comptes, {len(ORGANIZATIONS)} organisations, {len(CHALLENGES)} appels à communs "
        f"({published} ouverts, {len(CHALLENGES) - published} brouillon), {len(PROJECTS)} projets, "
        f"{len(JOINS)} adhésions, {len(PLEDGES) + len(MATCHED_PLEDGES)} contributions (dont {withdrawn} retirée).\n"
        f"{len(ROUNDS)} co-budgets ({closed} au résultat publié et versé, {len(ROUNDS) - closed} ouverts ou "
        f"en inscription), {len(BALLOTS)} bulletins, {len(EXPENSES)} dépenses.\n\n" + _logins()
    )


def _logins() -> str:
    """The shared password and the main accounts, for the message and the README."""
    people = {person.login: person for person in (*PEOPLE, PLATFORM_ADMIN)}
    lines = [f"  {email(login):<32} {people[login].name}, {people[login].role}" for login in MAIN_LOGINS]
    return (
        f"Mot de passe de tous les comptes de démonstration : {DEMO_PASSWORD}\n"
        "Comptes principaux :\n" + "\n".join(lines) + "\n"
        "Lancez « commons serve » et connectez-vous avec l'un d'eux."
    )


async def _insert_territories(session: AsyncSession) -> dict[str, int]:
    """Territory ids by code; territories have no use case, so they are inserted directly."""
    rows = [Territory(name=t.name, level=t.level, code=t.code) for t in TERRITORIES]
    session.add_all(rows)
    await session.commit()
    return {row.code: row.id for row in rows if row.code is not None}


async def _sign_up(session: AsyncSession, person: Person, *, is_platform_admin: bool = False) -> User:
    """The person's account, with the shared demo password."""
    return await sign_up(
        session,
        email=email(person.login),
        password=DEMO_PASSWORD,
        name=person.name,
        is_platform_admin=is_platform_admin,
        email_verified=True,
    )


async def _create_organizations(session: AsyncSession) -> dict[str, int]:
    """Organization ids by name, each with its admins; done as the command line (no actor)."""
    ids: dict[str, int] = {}
    for seed in ORGANIZATIONS:
        organization = await create_organization(session, actor=None, name=seed.name, kind=seed.kind)
        for login in seed.admins:
            await add_organization_admin(session, actor=None, organization_id=organization.id, email=email(login))
        ids[seed.name] = organization.id
    return ids


async def _post_challenges(
    session: AsyncSession, people: dict[str, User], organizations: dict[str, int], territories: dict[str, int]
) -> dict[str, int]:
    """Challenge ids by key: each drafted by its author, then published unless it stays a draft."""
    ids: dict[str, int] = {}
    for seed in CHALLENGES:
        author = people[seed.author]
        data = msgspec.structs.replace(
            seed.call,
            organization_id=organizations[seed.organization],
            territory_id=territories[seed.territory],
        )
        challenge = await create_challenge(session, actor=author, data=data)
        if seed.publish:
            await publish_challenge(session, actor=author, challenge_id=challenge.id)
        ids[seed.key] = challenge.id
    return ids


async def _add_funders(
    session: AsyncSession, people: dict[str, User], organizations: dict[str, int], challenges: dict[str, int]
) -> None:
    """The calls' other funders, added by the calls' authors as the pages do; each contribution is
    marked received by an admin of its own organization (the authors for their pools)."""
    authors = {seed.key: people[seed.author] for seed in CHALLENGES}
    for key in RECEIVED_POOLS:
        [authority] = await list_funders(session, challenge_id=challenges[key], viewer=authors[key])
        await mark_received(session, actor=authors[key], challenge_id=challenges[key], funder_id=authority.funder.id)
    for seed in FUNDERS:
        data = msgspec.structs.replace(seed.funder, organization_id=organizations[seed.organization])
        actor, challenge_id = authors[seed.challenge], challenges[seed.challenge]
        funder = await add_funder(session, actor=actor, challenge_id=challenge_id, data=data)
        if seed.received:
            treasurer = people[_ORGANIZATION_ADMINS[seed.organization][0]]
            await mark_received(session, actor=treasurer, challenge_id=challenge_id, funder_id=funder.id)


async def _launch_projects(
    session: AsyncSession, people: dict[str, User], challenges: dict[str, int]
) -> dict[str, Project]:
    """The launched projects, with their needs, by key."""
    return {
        seed.key: await launch_project(
            session, actor=people[seed.lead], challenge_id=challenges[seed.challenge], data=seed.project
        )
        for seed in PROJECTS
    }


async def _pledge(
    session: AsyncSession,
    people: dict[str, User],
    projects: dict[str, Project],
    organizations: dict[str, int],
    seed: PledgeSeed,
) -> None:
    """Make the pledge, then withdraw or confirm it as the seed says."""
    project = projects[seed.project]
    need = {need.label: need for need in project.needs}[seed.need]
    contributor = people[seed.contributor]
    data = _pledge_input(need, seed, organizations.get(seed.on_behalf_of))
    pledge = await make_pledge(session, actor=contributor, project_id=project.id, data=data)
    if seed.withdrawn:
        await withdraw_pledge(session, actor=contributor, pledge_id=pledge.id)
    if seed.confirmed:
        await confirm_pledge(session, actor=_receiver(seed, people), pledge_id=pledge.id)


def _receiver(seed: PledgeSeed, people: dict[str, User]) -> User:
    """Who confirms a pledge kept: the project's lead, or the call's author when the lead made it
    (nobody confirms their own pledge)."""
    project = next(p for p in PROJECTS if p.key == seed.project)
    if project.lead != seed.contributor:
        return people[project.lead]
    return people[next(c for c in CHALLENGES if c.key == project.challenge).author]


async def _hold_rounds(
    session: AsyncSession, people: dict[str, User], projects: dict[str, Project], challenges: dict[str, int]
) -> dict[str, Round]:
    """The co-budgets by key, declared by the calls' authors, with their ballots, registrations and
    delegations; the rounds to close are closed, and their results computed and paid out at once."""
    authors = {seed.key: people[seed.author] for seed in CHALLENGES}
    now = utcnow()
    rounds: dict[str, Round] = {}
    for seed in ROUNDS:
        candidates = [CandidateIn(projects[key].id, cost) for key, cost in seed.candidates] or None
        data = msgspec.structs.replace(
            seed.round, opens_at=now + seed.opens, closes_at=now + seed.closes, candidates=candidates
        )
        rounds[seed.key] = await create_round(
            session, actor=authors[seed.challenge], challenge_id=challenges[seed.challenge], data=data
        )
    for ballot in BALLOTS:
        approvals = [projects[key].id for key in ballot.approvals]
        await submit_ballot(
            session, actor=people[ballot.voter], round_id=rounds[ballot.round].id, data=BallotIn(approvals)
        )
    for key, logins in REGISTRATIONS:
        for login in logins:
            await register(session, actor=people[login], round_id=rounds[key].id)
    for delegation in DELEGATIONS:
        await delegate(
            session,
            actor=people[delegation.delegator],
            round_id=rounds[delegation.round].id,
            data=DelegationIn(delegate_id=people[delegation.delegate].id, percent=delegation.percent),
        )
    for seed in ROUNDS:
        if seed.close:
            closed = await close_round(session, actor=authors[seed.challenge], round_id=rounds[seed.key].id)
            await _consume_now(session, EventType.ROUND_CLOSED)
            rounds[seed.key] = await get_round(session, closed.id, viewer=None)
    return rounds


async def _consume_now(session: AsyncSession, event_type: EventType) -> None:
    """Apply the latest event of this type as the workers would, so its effect (a round's result) shows
    right after ``commons demo``, without a worker; the consumers record it as processed, so a worker
    started later does not apply it again."""
    event = await session.scalar(
        select(OutboxEvent).where(OutboxEvent.type == event_type).order_by(OutboxEvent.id.desc()).limit(1)
    )
    assert event is not None, f"no {event_type} event"
    for consumer in CONSUMERS:
        if event.type in consumer.events:
            await consume(session, consumer=consumer.name, event_id=event.event_id, handler=consumer.handler)


async def _report_expenses(session: AsyncSession, people: dict[str, User], projects: dict[str, Project]) -> None:
    """The expenses, reported by members, then approved and paid as their seeds say."""
    today = utcnow().date()
    for seed in EXPENSES:
        data = ExpenseCreate(
            amount_cents=seed.amount_cents,
            purpose=seed.purpose,
            receipt_reference=seed.receipt_reference,
            spent_on=today - timedelta(days=seed.days_ago),
        )
        expense = await submit_expense(
            session, actor=people[seed.author], project_id=projects[seed.project].id, data=data
        )
        if seed.approver:
            await approve_expense(session, actor=people[seed.approver], expense_id=expense.id)
        if seed.payer:
            await pay_expense(session, actor=people[seed.payer], expense_id=expense.id)


def _pledge_input(need: Need, seed: PledgeSeed, organization_id: int | None) -> PledgeIn:
    """The pledge of the need's kind, in the contributor's name or an organization's."""
    match need.kind:
        case ResourceKind.MONEY:
            return MoneyPledgeIn(
                need_id=need.id, amount_cents=seed.amount, note=seed.note, on_behalf_of_id=organization_id
            )
        case ResourceKind.TIME:
            return TimePledgeIn(need_id=need.id, minutes=seed.amount, note=seed.note, on_behalf_of_id=organization_id)
        case ResourceKind.SKILL:
            return SkillPledgeIn(need_id=need.id, note=seed.note, on_behalf_of_id=organization_id)
