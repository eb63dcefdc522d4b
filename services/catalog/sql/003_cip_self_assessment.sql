-- 003_cip_self_assessment.sql: the voluntary self-assessment tool for national efforts to protect
-- critical information infrastructures (annex to UN General Assembly resolution 64/211 of
-- 21 December 2009), as questionnaire "cip-self-assessment" v1.
--
-- English question texts are the annex's text word for word (data/sources/A-RES-64-211.md);
-- the integration tests compare them after collapsing whitespace. French texts are a careful
-- rendering of the annex. Each question is answered with a maturity level 0-5 (docs/scoring-model.md,
-- "Scoring model"): 0 not started, then the five stages of the Oxford Global Cyber Security
-- Capacity Centre's Cybersecurity Capacity Maturity Model.
--
-- Children are inserted while the version is DRAFT; the version is published last, because a
-- trigger refuses any change under a published version.

INSERT INTO catalog.questionnaires (id, kind) VALUES ('cip-self-assessment', 'SELF_ASSESSMENT');

INSERT INTO catalog.versions (questionnaire_id, version, state, source, published_at)
VALUES ('cip-self-assessment', 1, 'DRAFT', 'A/RES/64/211, annex', NULL);

INSERT INTO catalog.version_texts (questionnaire_id, version, locale, title) VALUES
    ('cip-self-assessment', 1, 'en',
     $t$Voluntary self-assessment tool for national efforts to protect critical information infrastructures$t$),
    ('cip-self-assessment', 1, 'fr',
     $t$Outil d'auto-évaluation volontaire des efforts nationaux de protection des infrastructures essentielles de l'information$t$);

-- Sections: the annex's seven headings.
INSERT INTO catalog.sections (questionnaire_id, version, id, number) VALUES
    ('cip-self-assessment', 1, 's1', 1),
    ('cip-self-assessment', 1, 's2', 2),
    ('cip-self-assessment', 1, 's3', 3),
    ('cip-self-assessment', 1, 's4', 4),
    ('cip-self-assessment', 1, 's5', 5),
    ('cip-self-assessment', 1, 's6', 6),
    ('cip-self-assessment', 1, 's7', 7);

INSERT INTO catalog.section_texts (questionnaire_id, version, section_id, locale, title) VALUES
    ('cip-self-assessment', 1, 's1', 'en', $t$Taking stock of cybersecurity needs and strategies$t$),
    ('cip-self-assessment', 1, 's2', 'en', $t$Stakeholder roles and responsibilities$t$),
    ('cip-self-assessment', 1, 's3', 'en', $t$Policy processes and participation$t$),
    ('cip-self-assessment', 1, 's4', 'en', $t$Public-private cooperation$t$),
    ('cip-self-assessment', 1, 's5', 'en', $t$Incident management and recovery$t$),
    ('cip-self-assessment', 1, 's6', 'en', $t$Legal frameworks$t$),
    ('cip-self-assessment', 1, 's7', 'en', $t$Developing a global culture of cybersecurity$t$),
    ('cip-self-assessment', 1, 's1', 'fr', $t$Bilan des besoins et des stratégies en matière de cybersécurité$t$),
    ('cip-self-assessment', 1, 's2', 'fr', $t$Rôles et responsabilités des parties prenantes$t$),
    ('cip-self-assessment', 1, 's3', 'fr', $t$Processus d'élaboration des politiques et participation$t$),
    ('cip-self-assessment', 1, 's4', 'fr', $t$Coopération entre le secteur public et le secteur privé$t$),
    ('cip-self-assessment', 1, 's5', 'fr', $t$Gestion des incidents et rétablissement$t$),
    ('cip-self-assessment', 1, 's6', 'fr', $t$Cadres juridiques$t$),
    ('cip-self-assessment', 1, 's7', 'fr', $t$Développer une culture mondiale de la cybersécurité$t$);

-- Questions: structure only (language-independent). Topics name catalog.topics ids.
INSERT INTO catalog.questions
    (questionnaire_id, version, id, section_id, number, answer_type, weight, required, deadline, recurrence, topics)
SELECT 'cip-self-assessment', 1, q.id, q.section_id, q.number, 'MATURITY_LEVEL', 1, true, NULL::date, 'NONE', q.topics
FROM (VALUES
    ('q1',  's1',  1, ARRAY['strategy', 'cip']),
    ('q2',  's1',  2, ARRAY['strategy', 'cip']),
    ('q3',  's1',  3, ARRAY['strategy', 'cip']),
    ('q4',  's1',  4, ARRAY['strategy', 'intl-cooperation']),
    ('q5',  's2',  5, ARRAY['governance', 'awareness']),
    ('q6',  's3',  6, ARRAY['public-private', 'governance']),
    ('q7',  's3',  7, ARRAY['governance', 'public-private']),
    ('q8',  's4',  8, ARRAY['public-private', 'incident-response']),
    ('q9',  's4',  9, ARRAY['public-private', 'cip']),
    ('q10', 's5', 10, ARRAY['incident-response', 'governance']),
    ('q11', 's5', 11, ARRAY['incident-response', 'government-networks']),
    ('q12', 's5', 12, ARRAY['incident-response', 'intl-cooperation']),
    ('q13', 's6', 13, ARRAY['cybercrime-law', 'data-protection']),
    ('q14', 's6', 14, ARRAY['law-enforcement', 'cybercrime-law', 'training']),
    ('q15', 's6', 15, ARRAY['cybercrime-law']),
    ('q16', 's6', 16, ARRAY['law-enforcement', 'intl-cooperation']),
    ('q17', 's6', 17, ARRAY['law-enforcement', 'intl-cooperation']),
    ('q18', 's7', 18, ARRAY['awareness', 'training', 'government-networks'])
) AS q(id, section_id, number, topics);

-- English texts: the annex, word for word.
INSERT INTO catalog.question_texts (questionnaire_id, version, question_id, locale, text, guidance, sub_items) VALUES
('cip-self-assessment', 1, 'q1', 'en',
 $t$Assess the role of information and communications technologies in your national economy, national security, critical infrastructures (such as transportation, water and food supplies, public health, energy, finance, emergency services) and civil society.$t$,
 $t$Cite a national study or strategy chapter that maps how ICTs underpin the economy, national security and critical sectors, such as an ICT dependency analysis or an official list of critical sectors and operators.$t$,
 '{}'),
('cip-self-assessment', 1, 'q2', 'en',
 $t$Determine the cybersecurity and critical information infrastructure protection risks to your economy, national security, critical infrastructures and civil society that must be managed.$t$,
 $t$Cite a national cyber risk assessment or risk register, with its date, the authority that produced it and how often it is updated.$t$,
 '{}'),
('cip-self-assessment', 1, 'q3', 'en',
 $t$Understand the vulnerabilities of the networks in use, the relative levels of threat faced by each sector at present, and the current management plan; note how changes in economic environment, national security priorities and civil society needs affect these calculations.$t$,
 $t$Cite sector-by-sector vulnerability and threat assessments and the current risk management plan. Show when they were last revised in response to changed economic, security or societal priorities.$t$,
 '{}'),
('cip-self-assessment', 1, 'q4', 'en',
 $t$Determine the goals of national cybersecurity and critical information infrastructure protection strategy, describe its goals, current level of implementation, measures that exist to gauge its progress, its relation to other national policy objectives, and how such a strategy fits within regional and international initiatives.$t$,
 $t$Cite the adopted national cybersecurity and CIIP strategy (title, date, adopting authority), its implementation plan and progress indicators, and the latest report on its implementation.$t$,
 '{}'),
('cip-self-assessment', 1, 'q5', 'en',
 $t$Determine key stakeholders with a role in cybersecurity and critical information infrastructure protection and describe the role of each in the development of relevant policies and operations, including:$t$,
 $t$Cite the legal or administrative texts that assign cybersecurity responsibilities to ministries and agencies, a list of their points of contact, and evidence of how local government, industry, academia and citizens take part.$t$,
 ARRAY[
  $t$National Government ministries or agencies, noting primary points of contact and responsibilities of each;$t$,
  $t$Other government (local and regional) participants;$t$,
  $t$Non-government actors, including industry, civil society and academia;$t$,
  $t$Individual citizens, noting whether average users of the Internet have access to basic training in avoiding threats online and whether there is a national awareness-raising campaign regarding cybersecurity.$t$
 ]),
('cip-self-assessment', 1, 'q6', 'en',
 $t$Identify formal and informal venues that currently exist for Government-industry collaboration in the development of cybersecurity and critical information infrastructure protection policy and operations; determine participants, role(s) and objectives, methods for obtaining and addressing input, and its adequacy in achieving relevant cybersecurity and critical information infrastructure protection goals.$t$,
 $t$Cite the charters, terms of reference or meeting records of existing government-industry bodies (councils, working groups, public consultations), with their participants and what they produced.$t$,
 '{}'),
('cip-self-assessment', 1, 'q7', 'en',
 $t$Identify forums or structures that may further be needed to integrate the government and non-government perspectives and knowledge necessary to realize national cybersecurity and critical information infrastructure protection goals.$t$,
 $t$Cite a gap analysis or policy decision identifying the additional forums or structures needed, and any plan or timetable to create them.$t$,
 '{}'),
('cip-self-assessment', 1, 'q8', 'en',
 $t$Collect all actions taken and plans to develop collaboration between government and the private sector, including any arrangements for information-sharing and incident management.$t$,
 $t$Cite public-private partnership agreements, information-sharing arrangements (such as sectoral ISACs) and joint incident management procedures, with their dates.$t$,
 '{}'),
('cip-self-assessment', 1, 'q9', 'en',
 $t$Collect all current and planned initiatives to promote shared interests and address common challenges among both critical infrastructure participants and private-sector actors mutually dependent on the same interconnected critical infrastructure.$t$,
 $t$Cite cross-sector initiatives among critical infrastructure operators and the private-sector actors that depend on them, such as joint exercises, interdependency studies or sector coordination councils.$t$,
 '{}'),
('cip-self-assessment', 1, 'q10', 'en',
 $t$Identify the Government agency that serves as the coordinator for incident management, including capability for watch, warning, response and recovery functions; the cooperating Government agencies; non-government cooperating participants, including industry and other partners; and any arrangements in place for cooperation and trusted information-sharing.$t$,
 $t$Cite the instrument designating the national incident management coordinator, its watch, warning, response and recovery procedures, and its agreements with cooperating agencies and partners.$t$,
 '{}'),
('cip-self-assessment', 1, 'q11', 'en',
 $t$Separately, identify national-level computer incident response capacity, including any computer incident response team with national responsibilities and its roles and responsibilities, including existing tools and procedures for the protection of Government computer networks, and existing tools and procedures for the dissemination of incident-management information.$t$,
 $t$Cite the national CERT/CSIRT's mandate, services and constituency, its FIRST or regional membership if any, and the tools and procedures used to protect government networks and disseminate incident information.$t$,
 '{}'),
('cip-self-assessment', 1, 'q12', 'en',
 $t$Identify networks and processes of international cooperation that may enhance incident response and contingency planning, identifying partners and arrangements for bilateral and multilateral cooperation, where appropriate.$t$,
 $t$Cite memberships in international and regional CERT networks, bilateral or multilateral cooperation agreements, and participation in international cyber exercises.$t$,
 '{}'),
('cip-self-assessment', 1, 'q13', 'en',
 $t$Review and update legal authorities (including those related to cybercrime, privacy, data protection, commercial law, digital signatures and encryption) that may be outdated or obsolete as a result of the rapid uptake of and dependence upon new information and communication technologies, and use regional and international conventions, arrangements and precedents in these reviews. Ascertain whether your country has developed necessary legislation for the investigation and prosecution of cybercrime, noting existing frameworks, for example, United Nations General Assembly resolutions 55/63 and 56/121 on combating the criminal misuse of information technologies, and regional initiatives, including the Council of Europe Convention on Cybercrime.$t$,
 $t$Cite the laws on cybercrime, privacy and data protection, electronic commerce, digital signatures and encryption, each with its official citation and date, the date of the latest legal review, and any regional or international convention signed or ratified (such as the Budapest Convention).$t$,
 '{}'),
('cip-self-assessment', 1, 'q14', 'en',
 $t$Determine the current status of national cybercrime authorities and procedures, including legal authorities and national cybercrime units, and the level of understanding among prosecutors, judges and legislators of cybercrime issues.$t$,
 $t$Cite the national cybercrime unit(s) with their mandate and staffing, the procedures in force, and the training delivered to prosecutors, judges and legislators in recent years.$t$,
 '{}'),
('cip-self-assessment', 1, 'q15', 'en',
 $t$Assess the adequacy of current legal codes and authorities in addressing the current and future challenges of cybercrime, and of cyberspace more generally.$t$,
 $t$Cite a legal gap analysis or review of the criminal and procedural codes against current and emerging cyber threats, and any reform it led to.$t$,
 '{}'),
('cip-self-assessment', 1, 'q16', 'en',
 $t$Examine national participation in international efforts to combat cybercrime, such as the 24/7 Cybercrime Point of Contact Network.$t$,
 $t$Cite the State's 24/7 cybercrime point of contact and the network it belongs to, and its participation in other international efforts such as INTERPOL or UNODC cybercrime programmes.$t$,
 '{}'),
('cip-self-assessment', 1, 'q17', 'en',
 $t$Determine the requirements for national law enforcement agencies to cooperate with international counterparts to investigate transnational cybercrime in those instances in which infrastructure is situated or perpetrators reside in national territory, but victims reside elsewhere.$t$,
 $t$Cite the mutual legal assistance laws and treaties, police-to-police channels and data preservation procedures that allow cooperation with foreign counterparts, with statistics on requests received and answered.$t$,
 '{}'),
('cip-self-assessment', 1, 'q18', 'en',
 $t$Summarize actions taken and plans to develop a national culture of cybersecurity referred to in United Nations General Assembly resolutions 57/239 and 58/199, including implementation of a cybersecurity plan for Government-operated systems, national awareness-raising programmes, outreach programmes to, among others, children and individual users, and national cybersecurity and critical information infrastructure protection training requirements.$t$,
 $t$Cite the security plan for government-operated systems, national awareness-raising campaigns and outreach programmes (including for children), and national cybersecurity training requirements or curricula, with their dates and reach.$t$,
 '{}');

-- French texts: a careful rendering of the annex.
INSERT INTO catalog.question_texts (questionnaire_id, version, question_id, locale, text, guidance, sub_items) VALUES
('cip-self-assessment', 1, 'q1', 'fr',
 $t$Évaluer le rôle des technologies de l'information et des communications dans votre économie nationale, votre sécurité nationale, vos infrastructures essentielles (telles que les transports, l'approvisionnement en eau et en denrées alimentaires, la santé publique, l'énergie, la finance et les services d'urgence) et votre société civile.$t$,
 $t$Citer une étude nationale ou un chapitre de stratégie décrivant la place des TIC dans l'économie, la sécurité nationale et les secteurs essentiels, par exemple une analyse de la dépendance aux TIC ou une liste officielle des secteurs et opérateurs essentiels.$t$,
 '{}'),
('cip-self-assessment', 1, 'q2', 'fr',
 $t$Déterminer les risques en matière de cybersécurité et de protection des infrastructures essentielles de l'information qui pèsent sur votre économie, votre sécurité nationale, vos infrastructures essentielles et votre société civile et qu'il convient de gérer.$t$,
 $t$Citer une évaluation nationale des cyberrisques ou un registre des risques, avec sa date, l'autorité qui l'a établi et la fréquence de sa mise à jour.$t$,
 '{}'),
('cip-self-assessment', 1, 'q3', 'fr',
 $t$Comprendre les vulnérabilités des réseaux utilisés, le niveau relatif de la menace à laquelle chaque secteur est actuellement exposé et le plan de gestion en vigueur ; noter comment l'évolution de la conjoncture économique, des priorités de sécurité nationale et des besoins de la société civile influe sur ces calculs.$t$,
 $t$Citer les évaluations des vulnérabilités et des menaces par secteur et le plan de gestion des risques en vigueur. Indiquer la date de leur dernière révision à la suite d'une évolution des priorités économiques, sécuritaires ou sociétales.$t$,
 '{}'),
('cip-self-assessment', 1, 'q4', 'fr',
 $t$Déterminer les objectifs de la stratégie nationale de cybersécurité et de protection des infrastructures essentielles de l'information, et décrire ces objectifs, le niveau actuel de mise en œuvre de la stratégie, les mesures existantes permettant d'en évaluer les progrès, ses liens avec les autres objectifs de politique nationale et la manière dont elle s'inscrit dans les initiatives régionales et internationales.$t$,
 $t$Citer la stratégie nationale de cybersécurité et de protection des infrastructures essentielles de l'information adoptée (titre, date, autorité d'adoption), son plan de mise en œuvre et ses indicateurs de progrès, ainsi que le dernier rapport sur sa mise en œuvre.$t$,
 '{}'),
('cip-self-assessment', 1, 'q5', 'fr',
 $t$Recenser les principales parties prenantes ayant un rôle à jouer dans la cybersécurité et la protection des infrastructures essentielles de l'information et décrire le rôle de chacune dans l'élaboration des politiques et des opérations pertinentes, notamment :$t$,
 $t$Citer les textes juridiques ou administratifs qui attribuent des responsabilités en matière de cybersécurité aux ministères et organismes, la liste de leurs points de contact et la preuve de la participation des collectivités territoriales, du secteur privé, des universités et des citoyens.$t$,
 ARRAY[
  $t$Les ministères ou organismes publics nationaux, en indiquant les principaux points de contact et les responsabilités de chacun ;$t$,
  $t$Les autres acteurs publics (locaux et régionaux) ;$t$,
  $t$Les acteurs non gouvernementaux, notamment le secteur privé, la société civile et les milieux universitaires ;$t$,
  $t$Les citoyens, en indiquant si l'internaute moyen a accès à une formation de base sur les moyens de se prémunir contre les menaces en ligne et s'il existe une campagne nationale de sensibilisation à la cybersécurité.$t$
 ]),
('cip-self-assessment', 1, 'q6', 'fr',
 $t$Recenser les cadres formels et informels qui existent actuellement pour la collaboration entre les pouvoirs publics et le secteur privé dans l'élaboration des politiques et des opérations en matière de cybersécurité et de protection des infrastructures essentielles de l'information ; déterminer les participants, leur(s) rôle(s) et leurs objectifs, les méthodes permettant de recueillir et de prendre en compte les contributions, et la mesure dans laquelle ces cadres permettent d'atteindre les objectifs pertinents en matière de cybersécurité et de protection des infrastructures essentielles de l'information.$t$,
 $t$Citer les chartes, mandats ou comptes rendus de réunion des instances existantes associant pouvoirs publics et secteur privé (conseils, groupes de travail, consultations publiques), avec leurs participants et leurs réalisations.$t$,
 '{}'),
('cip-self-assessment', 1, 'q7', 'fr',
 $t$Recenser les forums ou structures qui pourraient encore être nécessaires pour intégrer les points de vue et les connaissances des acteurs publics et non gouvernementaux indispensables à la réalisation des objectifs nationaux en matière de cybersécurité et de protection des infrastructures essentielles de l'information.$t$,
 $t$Citer une analyse des lacunes ou une décision politique recensant les forums ou structures supplémentaires nécessaires, ainsi que tout plan ou calendrier pour leur création.$t$,
 '{}'),
('cip-self-assessment', 1, 'q8', 'fr',
 $t$Rassembler toutes les mesures prises et tous les projets visant à développer la collaboration entre les pouvoirs publics et le secteur privé, y compris tout dispositif d'échange d'informations et de gestion des incidents.$t$,
 $t$Citer les accords de partenariat public-privé, les dispositifs d'échange d'informations (par exemple des ISAC sectoriels) et les procédures conjointes de gestion des incidents, avec leurs dates.$t$,
 '{}'),
('cip-self-assessment', 1, 'q9', 'fr',
 $t$Rassembler toutes les initiatives en cours et prévues visant à promouvoir les intérêts communs et à relever les défis communs, tant parmi les acteurs des infrastructures essentielles que parmi les acteurs du secteur privé mutuellement dépendants de la même infrastructure essentielle interconnectée.$t$,
 $t$Citer les initiatives intersectorielles entre les opérateurs d'infrastructures essentielles et les acteurs privés qui en dépendent, par exemple des exercices conjoints, des études d'interdépendance ou des conseils de coordination sectoriels.$t$,
 '{}'),
('cip-self-assessment', 1, 'q10', 'fr',
 $t$Identifier l'organisme public chargé de coordonner la gestion des incidents, y compris ses capacités de veille, d'alerte, d'intervention et de rétablissement ; les organismes publics qui coopèrent avec lui ; les participants non gouvernementaux qui coopèrent avec lui, notamment le secteur privé et d'autres partenaires ; et tout dispositif en place de coopération et d'échange d'informations en confiance.$t$,
 $t$Citer l'instrument désignant le coordonnateur national de la gestion des incidents, ses procédures de veille, d'alerte, d'intervention et de rétablissement, et ses accords avec les organismes et partenaires qui coopèrent avec lui.$t$,
 '{}'),
('cip-self-assessment', 1, 'q11', 'fr',
 $t$Identifier séparément la capacité nationale d'intervention en cas d'incident informatique, y compris toute équipe d'intervention en cas d'incident informatique investie de responsabilités nationales, ainsi que ses rôles et responsabilités, notamment les outils et procédures existants pour la protection des réseaux informatiques de l'État et les outils et procédures existants pour la diffusion d'informations relatives à la gestion des incidents.$t$,
 $t$Citer le mandat, les services et le public cible du CERT/CSIRT national, son éventuelle adhésion au FIRST ou à un réseau régional, ainsi que les outils et procédures utilisés pour protéger les réseaux de l'État et diffuser les informations sur les incidents.$t$,
 '{}'),
('cip-self-assessment', 1, 'q12', 'fr',
 $t$Recenser les réseaux et processus de coopération internationale susceptibles d'améliorer l'intervention en cas d'incident et la planification d'urgence, en identifiant, le cas échéant, les partenaires et les dispositifs de coopération bilatérale et multilatérale.$t$,
 $t$Citer l'appartenance à des réseaux internationaux et régionaux de CERT, les accords de coopération bilatérale ou multilatérale et la participation à des exercices cyber internationaux.$t$,
 '{}'),
('cip-self-assessment', 1, 'q13', 'fr',
 $t$Examiner et mettre à jour les textes juridiques (notamment ceux qui concernent la cybercriminalité, la vie privée, la protection des données, le droit commercial, les signatures numériques et le chiffrement) qui pourraient être dépassés ou obsolètes du fait de l'adoption rapide des nouvelles technologies de l'information et des communications et de la dépendance croissante à leur égard, en s'appuyant dans ces examens sur les conventions, arrangements et précédents régionaux et internationaux. Vérifier si votre pays s'est doté de la législation nécessaire aux enquêtes et aux poursuites en matière de cybercriminalité, en tenant compte des cadres existants, par exemple les résolutions 55/63 et 56/121 de l'Assemblée générale des Nations Unies sur la lutte contre l'exploitation des technologies de l'information à des fins criminelles, et des initiatives régionales, notamment la Convention du Conseil de l'Europe sur la cybercriminalité.$t$,
 $t$Citer les lois relatives à la cybercriminalité, à la vie privée et à la protection des données, au commerce électronique, aux signatures numériques et au chiffrement, chacune avec sa référence officielle et sa date, la date du dernier examen juridique et toute convention régionale ou internationale signée ou ratifiée (par exemple la Convention de Budapest).$t$,
 '{}'),
('cip-self-assessment', 1, 'q14', 'fr',
 $t$Déterminer la situation actuelle des autorités et des procédures nationales en matière de cybercriminalité, y compris les pouvoirs juridiques et les services nationaux de lutte contre la cybercriminalité, ainsi que le degré de compréhension des questions de cybercriminalité par les procureurs, les juges et les législateurs.$t$,
 $t$Citer le ou les services nationaux de lutte contre la cybercriminalité avec leur mandat et leurs effectifs, les procédures en vigueur et les formations dispensées ces dernières années aux procureurs, aux juges et aux législateurs.$t$,
 '{}'),
('cip-self-assessment', 1, 'q15', 'fr',
 $t$Évaluer dans quelle mesure les codes et pouvoirs juridiques actuels permettent de faire face aux défis actuels et futurs de la cybercriminalité et, plus généralement, du cyberespace.$t$,
 $t$Citer une analyse des lacunes juridiques ou un examen des codes pénal et de procédure pénale au regard des cybermenaces actuelles et émergentes, ainsi que toute réforme qui en a découlé.$t$,
 '{}'),
('cip-self-assessment', 1, 'q16', 'fr',
 $t$Examiner la participation nationale aux efforts internationaux de lutte contre la cybercriminalité, tels que le réseau de points de contact 24/7 en matière de cybercriminalité.$t$,
 $t$Citer le point de contact 24/7 de l'État en matière de cybercriminalité et le réseau auquel il appartient, ainsi que sa participation à d'autres efforts internationaux, par exemple les programmes d'INTERPOL ou de l'ONUDC contre la cybercriminalité.$t$,
 '{}'),
('cip-self-assessment', 1, 'q17', 'fr',
 $t$Déterminer les conditions dans lesquelles les services nationaux de détection et de répression doivent coopérer avec leurs homologues étrangers pour enquêter sur la cybercriminalité transnationale lorsque l'infrastructure est située ou les auteurs résident sur le territoire national, mais que les victimes résident ailleurs.$t$,
 $t$Citer les lois et traités d'entraide judiciaire, les canaux de coopération policière et les procédures de conservation des données qui permettent de coopérer avec les homologues étrangers, avec des statistiques sur les demandes reçues et traitées.$t$,
 '{}'),
('cip-self-assessment', 1, 'q18', 'fr',
 $t$Résumer les mesures prises et les projets visant à développer une culture nationale de la cybersécurité, évoquée dans les résolutions 57/239 et 58/199 de l'Assemblée générale des Nations Unies, y compris la mise en œuvre d'un plan de cybersécurité pour les systèmes exploités par l'État, les programmes nationaux de sensibilisation, les programmes d'information destinés notamment aux enfants et aux utilisateurs individuels, et les exigences nationales en matière de formation à la cybersécurité et à la protection des infrastructures essentielles de l'information.$t$,
 $t$Citer le plan de sécurité des systèmes exploités par l'État, les campagnes nationales de sensibilisation et les programmes d'information (y compris pour les enfants), ainsi que les exigences ou cursus nationaux de formation à la cybersécurité, avec leurs dates et leur portée.$t$,
 '{}');

-- Maturity levels: the same six descriptors for every question, written once per locale.
-- 0 = not started; 1-5 = the stages of the Oxford GCSCC Cybersecurity Capacity Maturity Model.
INSERT INTO catalog.level_texts (questionnaire_id, version, question_id, locale, level, name, description)
SELECT q.questionnaire_id, q.version, q.id, 'en', d.level, d.name, d.description
FROM catalog.questions AS q
CROSS JOIN (VALUES
    (0, $t$Not started$t$,
        $t$The State has no capacity in this area and none is yet planned or under discussion.$t$),
    (1, $t$Start-up$t$,
        $t$The State has at most ad hoc measures or initial discussions in this area, with no concrete plan, mandate or resources assigned.$t$),
    (2, $t$Formative$t$,
        $t$Some national features have begun to take shape, but they are ad hoc, loosely organised, poorly defined or newly created, and evidence of their activity is limited.$t$),
    (3, $t$Established$t$,
        $t$The elements are in place, assigned and functioning at national level, although their resourcing, coverage and relative priority have not yet been fully considered.$t$),
    (4, $t$Strategic$t$,
        $t$The State has made deliberate choices about which elements matter most, prioritised and resourced them according to its national circumstances, and measures how well they perform.$t$),
    (5, $t$Dynamic$t$,
        $t$The State has clear mechanisms to adapt its approach to changes in threats, technology and national needs, and contributes as a recognised leader to regional and international practice.$t$)
) AS d(level, name, description)
WHERE q.questionnaire_id = 'cip-self-assessment' AND q.version = 1;

INSERT INTO catalog.level_texts (questionnaire_id, version, question_id, locale, level, name, description)
SELECT q.questionnaire_id, q.version, q.id, 'fr', d.level, d.name, d.description
FROM catalog.questions AS q
CROSS JOIN (VALUES
    (0, $t$Non commencé$t$,
        $t$L'État ne dispose d'aucune capacité dans ce domaine et aucune n'est encore prévue ni en discussion.$t$),
    (1, $t$Démarrage$t$,
        $t$L'État ne dispose au mieux que de mesures ponctuelles ou de discussions initiales dans ce domaine, sans plan concret, mandat ni ressources attribués.$t$),
    (2, $t$Formation$t$,
        $t$Certains éléments nationaux commencent à prendre forme, mais ils sont ponctuels, peu organisés, mal définis ou récents, et les preuves de leur activité restent limitées.$t$),
    (3, $t$Établi$t$,
        $t$Les éléments sont en place, attribués et opérationnels au niveau national, même si leurs ressources, leur portée et leur priorité relative n'ont pas encore été pleinement examinées.$t$),
    (4, $t$Stratégique$t$,
        $t$L'État a fait des choix délibérés sur les éléments les plus importants, les a hiérarchisés et dotés de ressources en fonction de sa situation nationale, et mesure leur efficacité.$t$),
    (5, $t$Dynamique$t$,
        $t$L'État dispose de mécanismes clairs pour adapter son approche à l'évolution des menaces, des technologies et des besoins nationaux, et contribue en chef de file reconnu aux pratiques régionales et internationales.$t$)
) AS d(level, name, description)
WHERE q.questionnaire_id = 'cip-self-assessment' AND q.version = 1;

-- Publish last: from here on the version and everything under it are immutable.
UPDATE catalog.versions
SET state = 'PUBLISHED', published_at = TIMESTAMPTZ '2009-12-21 00:00:00+00'
WHERE questionnaire_id = 'cip-self-assessment' AND version = 1;
