-- 004_unic_compliance.sql: compliance with Resolution #1 of the 68th session (which created UNIC),
-- as questionnaire "unic-compliance" v1: one YES_NO question per obligation the resolution places
-- on each State (paragraphs 4, 5, 6, 8 and 9; data/sources/resolution-1-68th-session.md).
-- Question ids name the paragraph; deadlines are those the resolution sets.
--
-- Children are inserted while the version is DRAFT; the version is published last, because a
-- trigger refuses any change under a published version.

INSERT INTO catalog.questionnaires (id, kind) VALUES ('unic-compliance', 'COMPLIANCE');

INSERT INTO catalog.versions (questionnaire_id, version, state, source, published_at)
VALUES ('unic-compliance', 1, 'DRAFT', 'Resolution #1 (68th session)', NULL);

INSERT INTO catalog.version_texts (questionnaire_id, version, locale, title) VALUES
    ('unic-compliance', 1, 'en', $t$Compliance with Resolution #1 (68th session)$t$),
    ('unic-compliance', 1, 'fr', $t$Conformité à la résolution n° 1 (68e session)$t$);

INSERT INTO catalog.sections (questionnaire_id, version, id, number) VALUES
    ('unic-compliance', 1, 'para4', 1),
    ('unic-compliance', 1, 'para5', 2),
    ('unic-compliance', 1, 'para6', 3),
    ('unic-compliance', 1, 'para8', 4),
    ('unic-compliance', 1, 'para9', 5);

INSERT INTO catalog.section_texts (questionnaire_id, version, section_id, locale, title) VALUES
    ('unic-compliance', 1, 'para4', 'en', $t$Paragraph 4: laws prohibiting criminal use of ICTs$t$),
    ('unic-compliance', 1, 'para5', 'en', $t$Paragraph 5: harmonization of national legislation and enforcement practices$t$),
    ('unic-compliance', 1, 'para6', 'en', $t$Paragraph 6: Computer Emergency Response Team and national point of contact$t$),
    ('unic-compliance', 1, 'para8', 'en', $t$Paragraph 8: annual report on compliance$t$),
    ('unic-compliance', 1, 'para9', 'en', $t$Paragraph 9: assistance to developing countries$t$),
    ('unic-compliance', 1, 'para4', 'fr', $t$Paragraphe 4 : lois interdisant l'utilisation des TIC à des fins criminelles$t$),
    ('unic-compliance', 1, 'para5', 'fr', $t$Paragraphe 5 : harmonisation des législations et des pratiques répressives nationales$t$),
    ('unic-compliance', 1, 'para6', 'fr', $t$Paragraphe 6 : équipe d'intervention en cas d'urgence informatique (CERT) et point de contact national$t$),
    ('unic-compliance', 1, 'para8', 'fr', $t$Paragraphe 8 : rapport annuel sur la conformité$t$),
    ('unic-compliance', 1, 'para9', 'fr', $t$Paragraphe 9 : assistance aux pays en développement$t$);

-- Questions: structure only (language-independent). Topics name catalog.topics ids.
INSERT INTO catalog.questions
    (questionnaire_id, version, id, section_id, number, answer_type, weight, required, deadline, recurrence, topics)
SELECT 'unic-compliance', 1, q.id, q.section_id, q.number, 'YES_NO', 1, true, q.deadline, q.recurrence, q.topics
FROM (VALUES
    ('para4a',           'para4',  1, DATE '2015-12-31', 'NONE',   ARRAY['cybercrime-law']),
    ('para4b',           'para4',  2, DATE '2015-12-31', 'NONE',   ARRAY['cybercrime-law', 'cip']),
    ('para5a',           'para5',  3, NULL,              'NONE',   ARRAY['data-protection', 'cybercrime-law']),
    ('para5b',           'para5',  4, NULL,              'NONE',   ARRAY['cybercrime-law', 'intl-cooperation']),
    ('para5c',           'para5',  5, NULL,              'NONE',   ARRAY['law-enforcement', 'intl-cooperation']),
    ('para5d',           'para5',  6, NULL,              'NONE',   ARRAY['public-private', 'law-enforcement']),
    ('para5e',           'para5',  7, NULL,              'NONE',   ARRAY['intl-cooperation']),
    ('para6-cert',       'para6',  8, DATE '2014-12-31', 'NONE',   ARRAY['incident-response']),
    ('para6-poc',        'para6',  9, DATE '2014-12-31', 'NONE',   ARRAY['incident-response', 'intl-cooperation']),
    ('para8-report',     'para8', 10, NULL,              'ANNUAL', ARRAY['governance', 'intl-cooperation']),
    ('para9-assistance', 'para9', 11, NULL,              'NONE',   ARRAY['intl-cooperation', 'incident-response', 'training'])
) AS q(id, section_id, number, deadline, recurrence, topics);

INSERT INTO catalog.question_texts (questionnaire_id, version, question_id, locale, text, guidance, sub_items) VALUES
('unic-compliance', 1, 'para4a', 'en',
 $t$Has the State enacted laws prohibiting the use of ICTs for criminal or terrorist purposes, including without limitation the use of ICTs to carry out hostile events or acts of aggression (para 4(a))?$t$,
 $t$Cite each law's official citation, date of enactment and date of entry into force, and the provisions that create the offences. The deadline is 31 December 2015.$t$,
 '{}'),
('unic-compliance', 1, 'para4b', 'en',
 $t$Has the State enacted laws prohibiting the use of ICTs to attack, disable or otherwise harm hospitals, schools, water facilities, electrical and gas power networks and/or financial systems (para 4(b))?$t$,
 $t$Cite each law's official citation, date of enactment and date of entry into force, and the provisions covering each of the protected facilities and systems. The deadline is 31 December 2015.$t$,
 '{}'),
('unic-compliance', 1, 'para5a', 'en',
 $t$Has the State harmonized its national legislation and enforcement practices with other States, under UNIC's guidance, in confirming general principles of availability, confidentiality, competitiveness, integrity and authenticity of data and networks, privacy and protection of intellectual property rights (para 5(a))?$t$,
 $t$Cite the laws, regulations or enforcement guidelines adopted or amended to align with UNIC's guidance in this area (data and network security, privacy, intellectual property), with their official citations and dates.$t$,
 '{}'),
('unic-compliance', 1, 'para5b', 'en',
 $t$Has the State harmonized its national legislation and enforcement practices with other States, under UNIC's guidance, in the development of international model provisions to criminalize "core" cybercrime offenses in order to eliminate safe havens (para 5(b))?$t$,
 $t$Cite the criminal law provisions defining the core cybercrime offences (such as illegal access, interception, data and system interference, misuse of devices), with their official citations and dates, and how they follow UNIC's model provisions.$t$,
 '{}'),
('unic-compliance', 1, 'para5c', 'en',
 $t$Has the State harmonized its national legislation and enforcement practices with other States, under UNIC's guidance, in the development of international model provisions to implement effective investigative powers to prevent, suppress and prosecute crimes involving ICTs and electronic evidence, including the preservation and admissibility of electronic evidence and direct access to extraterritorial data by law enforcement authorities (para 5(c))?$t$,
 $t$Cite the procedural law provisions on expedited preservation, production orders, search and seizure of data and admissibility of electronic evidence, and the rules governing access to data held abroad, with their official citations and dates.$t$,
 '{}'),
('unic-compliance', 1, 'para5d', 'en',
 $t$Has the State harmonized its national legislation and enforcement practices with other States, under UNIC's guidance, in engaging the private sector, particularly Internet service providers, to combat cybercrime (para 5(d))?$t$,
 $t$Cite the laws, regulations or formal agreements that set out how Internet service providers and other private companies cooperate with the authorities against cybercrime, with their dates.$t$,
 '{}'),
('unic-compliance', 1, 'para5e', 'en',
 $t$Has the State harmonized its national legislation and enforcement practices with other States, under UNIC's guidance, in settling disputes resulting from the application of this resolution and subsequently adopted international ICT norms through peaceful means and refraining from the threat or use of force (para 5(e))?$t$,
 $t$Cite official declarations, agreements or procedures committing the State to settle ICT-related disputes by peaceful means, and any dispute it has referred to such means.$t$,
 '{}'),
('unic-compliance', 1, 'para6-cert', 'en',
 $t$Has the State established and does it maintain a Computer Emergency Response Team (CERT) accredited by FIRST (para 6)?$t$,
 $t$Cite the instrument establishing the CERT and its mandate, and its entry in the FIRST membership directory (first.org) showing the team as an accredited member. The deadline is 31 December 2014.$t$,
 '{}'),
('unic-compliance', 1, 'para6-poc', 'en',
 $t$Has the State designated a national point of contact to handle communications among States related to ICT security incidents (para 6)?$t$,
 $t$Cite the instrument designating the point of contact and the date its contact details were notified to UNIC and other States. The deadline is 31 December 2014.$t$,
 '{}'),
('unic-compliance', 1, 'para8-report', 'en',
 $t$Has the State reported to the Secretary-General and UNIC, by the end of this calendar year, on its compliance with the resolution and the other matters described in paragraph 3 of resolution 67/27 (para 8)?$t$,
 $t$Cite the reference number and date of submission of this year's report to the Secretary-General and UNIC; a report counts for a year only if it was submitted by 31 December of that year.$t$,
 '{}'),
('unic-compliance', 1, 'para9-assistance', 'en',
 $t$If the State has mature or highly developed ICT security capabilities, has it provided, in conjunction with UNIC or other regional or international organizations, ICT expertise, funds and ICTs to developing countries to manage ICT security incidents, to improve the security of their ICT infrastructures, and to assist such countries in creating and maintaining cybersecurity awareness-raising and training programmes (para 9)?$t$,
 $t$Cite the programmes, expert-days, funds (in USD) and equipment provided, the recipient countries, the partner organization and the period covered. A State without mature or highly developed capabilities should say so in its evidence.$t$,
 '{}');

INSERT INTO catalog.question_texts (questionnaire_id, version, question_id, locale, text, guidance, sub_items) VALUES
('unic-compliance', 1, 'para4a', 'fr',
 $t$L'État a-t-il adopté des lois interdisant l'utilisation des TIC à des fins criminelles ou terroristes, y compris, sans s'y limiter, l'utilisation des TIC pour mener des actions hostiles ou des actes d'agression (paragraphe 4 a)) ?$t$,
 $t$Citer la référence officielle de chaque loi, sa date d'adoption et sa date d'entrée en vigueur, ainsi que les dispositions qui créent les infractions. L'échéance est le 31 décembre 2015.$t$,
 '{}'),
('unic-compliance', 1, 'para4b', 'fr',
 $t$L'État a-t-il adopté des lois interdisant l'utilisation des TIC pour attaquer, mettre hors service ou endommager de toute autre manière des hôpitaux, des écoles, des installations hydrauliques, des réseaux d'électricité et de gaz et/ou des systèmes financiers (paragraphe 4 b)) ?$t$,
 $t$Citer la référence officielle de chaque loi, sa date d'adoption et sa date d'entrée en vigueur, ainsi que les dispositions couvrant chacune des installations et chacun des systèmes protégés. L'échéance est le 31 décembre 2015.$t$,
 '{}'),
('unic-compliance', 1, 'para5a', 'fr',
 $t$L'État a-t-il harmonisé sa législation et ses pratiques répressives nationales avec celles des autres États, sous la direction de l'UNIC, en confirmant les principes généraux de disponibilité, de confidentialité, de compétitivité, d'intégrité et d'authenticité des données et des réseaux, de respect de la vie privée et de protection des droits de propriété intellectuelle (paragraphe 5 a)) ?$t$,
 $t$Citer les lois, règlements ou directives d'application adoptés ou modifiés pour suivre les orientations de l'UNIC dans ce domaine (sécurité des données et des réseaux, vie privée, propriété intellectuelle), avec leurs références officielles et leurs dates.$t$,
 '{}'),
('unic-compliance', 1, 'para5b', 'fr',
 $t$L'État a-t-il harmonisé sa législation et ses pratiques répressives nationales avec celles des autres États, sous la direction de l'UNIC, en élaborant des dispositions types internationales visant à ériger en infractions les actes « fondamentaux » de cybercriminalité afin d'éliminer les refuges (paragraphe 5 b)) ?$t$,
 $t$Citer les dispositions pénales définissant les infractions fondamentales de cybercriminalité (par exemple l'accès illégal, l'interception illégale, l'atteinte à l'intégrité des données et des systèmes, l'abus de dispositifs), avec leurs références officielles et leurs dates, et la manière dont elles suivent les dispositions types de l'UNIC.$t$,
 '{}'),
('unic-compliance', 1, 'para5c', 'fr',
 $t$L'État a-t-il harmonisé sa législation et ses pratiques répressives nationales avec celles des autres États, sous la direction de l'UNIC, en élaborant des dispositions types internationales visant à mettre en œuvre des pouvoirs d'enquête efficaces pour prévenir, réprimer et poursuivre les infractions impliquant les TIC et les preuves électroniques, y compris la conservation et la recevabilité des preuves électroniques et l'accès direct des services répressifs aux données extraterritoriales (paragraphe 5 c)) ?$t$,
 $t$Citer les dispositions de procédure relatives à la conservation rapide des données, aux injonctions de produire, à la perquisition et à la saisie de données et à la recevabilité des preuves électroniques, ainsi que les règles d'accès aux données stockées à l'étranger, avec leurs références officielles et leurs dates.$t$,
 '{}'),
('unic-compliance', 1, 'para5d', 'fr',
 $t$L'État a-t-il harmonisé sa législation et ses pratiques répressives nationales avec celles des autres États, sous la direction de l'UNIC, en associant le secteur privé, en particulier les fournisseurs d'accès à Internet, à la lutte contre la cybercriminalité (paragraphe 5 d)) ?$t$,
 $t$Citer les lois, règlements ou accords formels qui organisent la coopération des fournisseurs d'accès à Internet et des autres entreprises privées avec les autorités dans la lutte contre la cybercriminalité, avec leurs dates.$t$,
 '{}'),
('unic-compliance', 1, 'para5e', 'fr',
 $t$L'État a-t-il harmonisé sa législation et ses pratiques répressives nationales avec celles des autres États, sous la direction de l'UNIC, en réglant par des moyens pacifiques les différends découlant de l'application de la présente résolution et des normes internationales relatives aux TIC adoptées ultérieurement, et en s'abstenant de recourir à la menace ou à l'emploi de la force (paragraphe 5 e)) ?$t$,
 $t$Citer les déclarations, accords ou procédures officiels par lesquels l'État s'engage à régler par des moyens pacifiques les différends liés aux TIC, et tout différend qu'il a soumis à ces moyens.$t$,
 '{}'),
('unic-compliance', 1, 'para6-cert', 'fr',
 $t$L'État a-t-il créé et maintient-il une équipe d'intervention en cas d'urgence informatique (CERT) accréditée par le FIRST (paragraphe 6) ?$t$,
 $t$Citer l'instrument portant création du CERT et son mandat, ainsi que sa fiche dans l'annuaire des membres du FIRST (first.org) attestant qu'il en est membre accrédité. L'échéance est le 31 décembre 2014.$t$,
 '{}'),
('unic-compliance', 1, 'para6-poc', 'fr',
 $t$L'État a-t-il désigné un point de contact national chargé des communications entre États relatives aux incidents de sécurité des TIC (paragraphe 6) ?$t$,
 $t$Citer l'instrument désignant le point de contact et la date à laquelle ses coordonnées ont été notifiées à l'UNIC et aux autres États. L'échéance est le 31 décembre 2014.$t$,
 '{}'),
('unic-compliance', 1, 'para8-report', 'fr',
 $t$L'État a-t-il présenté au Secrétaire général et à l'UNIC, avant la fin de l'année civile en cours, un rapport sur le respect de la résolution et sur les autres questions visées au paragraphe 3 de la résolution 67/27 (paragraphe 8) ?$t$,
 $t$Citer la cote et la date de présentation du rapport de l'année au Secrétaire général et à l'UNIC ; un rapport ne compte pour une année que s'il a été présenté au plus tard le 31 décembre de cette année.$t$,
 '{}'),
('unic-compliance', 1, 'para9-assistance', 'fr',
 $t$Si l'État dispose de capacités de sécurité des TIC avancées ou très développées, a-t-il fourni aux pays en développement, en collaboration avec l'UNIC ou d'autres organisations régionales ou internationales, des compétences spécialisées, des fonds et des TIC pour gérer les incidents de sécurité des TIC, améliorer la sécurité de leurs infrastructures TIC et aider ces pays à créer et à maintenir des programmes de sensibilisation et de formation à la cybersécurité (paragraphe 9) ?$t$,
 $t$Citer les programmes, les jours d'expertise, les fonds (en dollars des États-Unis) et le matériel fournis, les pays bénéficiaires, l'organisation partenaire et la période couverte. Un État qui ne dispose pas de capacités avancées ou très développées doit l'indiquer dans ses justificatifs.$t$,
 '{}');

-- Publish last: from here on the version and everything under it are immutable.
UPDATE catalog.versions
SET state = 'PUBLISHED', published_at = TIMESTAMPTZ '2013-12-31 00:00:00+00'
WHERE questionnaire_id = 'unic-compliance' AND version = 1;
