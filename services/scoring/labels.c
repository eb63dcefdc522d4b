/* labels.c: the rendered documents' own words in ar, zh, en, fr, ru, es (labels.h).
 * One row per label, one column per language, so a missing translation shows in review; the unit
 * test (tests/unit/test_render.c) checks every cell is filled and every pattern keeps its
 * placeholders. Stage names follow the Oxford CMM stages of README.md, "Scoring model". */
#include "labels.h"

#include <stddef.h>
#include <string.h>

enum { LANG_EN, LANG_FR, LANG_ES, LANG_RU, LANG_ZH, LANG_AR, LANG_COUNT };

static const char *const codes[LANG_COUNT] = {"en", "fr", "es", "ru", "zh", "ar"};

static const char *const table[L_COUNT][LANG_COUNT] = {
    [L_SCORECARD_TITLE] = {"Cybersecurity capacity scorecard",
                           "Tableau de bord des capacités de cybersécurité",
                           "Cuadro de mando de la capacidad de ciberseguridad",
                           "Оценочная карта потенциала в области кибербезопасности",
                           "网络安全能力记分卡", "بطاقة تقييم قدرات الأمن السيبراني"},
    [L_STATE] = {"State", "État", "Estado", "Государство", "国家", "الدولة"},
    [L_CYCLE] = {"Cycle", "Cycle", "Ciclo", "Цикл", "周期", "الدورة"},
    [L_QUESTIONNAIRE] = {"Questionnaire", "Questionnaire", "Cuestionario", "Вопросник", "问卷",
                         "الاستبيان"},
    [L_VERSION] = {"version", "version", "versión", "версия", "版本", "الإصدار"},
    [L_MODEL] = {"Scoring model", "Modèle de notation", "Modelo de puntuación", "Модель оценки",
                 "评分模型", "نموذج التقييم"},
    [L_INDEX] = {"Overall index", "Indice global", "Índice general", "Общий индекс", "总指数",
                 "المؤشر العام"},
    [L_STAGE] = {"Stage", "Stade", "Etapa", "Стадия", "阶段", "المرحلة"},
    [L_COMPLETENESS] = {"Completeness", "Exhaustivité", "Completitud", "Полнота", "完成度",
                        "الاكتمال"},
    [L_SECTIONS] = {"Sections", "Sections", "Secciones", "Разделы", "各部分", "الأقسام"},
    [L_SECTION] = {"Section", "Section", "Sección", "Раздел", "部分", "القسم"},
    [L_SCORE] = {"Score", "Note", "Puntuación", "Балл", "得分", "الدرجة"},
    [L_PREVIOUS] = {"Previous", "Précédent", "Anterior", "Предыдущий", "上一周期", "السابقة"},
    [L_RADAR_TITLE] = {"The seven sections, this cycle against the previous one",
                       "Les sept sections, ce cycle comparé au précédent",
                       "Las siete secciones, este ciclo frente al anterior",
                       "Семь разделов: текущий цикл в сравнении с предыдущим",
                       "七个部分：本周期与上一周期对比", "الأقسام السبعة: هذه الدورة مقارنة بالدورة السابقة"},
    [L_THIS_CYCLE] = {"This cycle", "Ce cycle", "Este ciclo", "Текущий цикл", "本周期",
                      "هذه الدورة"},
    [L_PREVIOUS_CYCLE] = {"Previous cycle", "Cycle précédent", "Ciclo anterior",
                          "Предыдущий цикл", "上一周期", "الدورة السابقة"},
    [L_GAPS] = {"Gaps by severity", "Écarts par gravité", "Brechas por gravedad",
                "Пробелы по степени серьёзности", "按严重程度排列的差距",
                "الفجوات حسب درجة الخطورة"},
    [L_NO_GAPS] = {"No gaps", "Aucun écart", "Ninguna brecha", "Пробелов нет", "无差距",
                   "لا توجد فجوات"},
    [L_QUESTION] = {"Question", "Question", "Pregunta", "Вопрос", "问题", "السؤال"},
    [L_LEVEL] = {"Level", "Niveau", "Nivel", "Уровень", "级别", "المستوى"},
    [L_TARGET] = {"Target", "Cible", "Meta", "Цель", "目标", "الهدف"},
    [L_SEVERITY] = {"Severity", "Gravité", "Gravedad", "Серьёзность", "严重程度", "الخطورة"},
    [L_ASSESSMENT_NEEDED] = {"Assessment needed (not answered)",
                             "Évaluation nécessaire (sans réponse)",
                             "Evaluación necesaria (sin respuesta)",
                             "Требуется оценка (нет ответа)", "需要评估（未作答）",
                             "يلزم التقييم (بلا إجابة)"},
    [L_TREND] = {"Trend across cycles", "Évolution d'un cycle à l'autre", "Tendencia entre ciclos",
                 "Динамика по циклам", "各周期趋势", "الاتجاه عبر الدورات"},
    [L_EVIDENCE] = {"Evidence", "Éléments de preuve", "Pruebas", "Подтверждающие материалы",
                    "证据", "الأدلة"},
    [L_NONE] = {"None", "Aucun", "Ninguno", "Нет", "无", "لا يوجد"},
    [L_VISIBILITY] = {"Visibility", "Visibilité", "Visibilidad", "Доступность", "可见性",
                      "إمكانية الاطلاع"},
    [L_VIS_PRIVATE] = {"private (the State only)", "privée (l'État seul)",
                       "privada (solo el Estado)", "закрытая (только государство)",
                       "私密（仅限本国）", "خاصة (الدولة وحدها)"},
    [L_VIS_UNIC] = {"UNIC (the State and UNIC)", "UNIC (l'État et l'UNIC)",
                    "UNIC (el Estado y UNIC)", "UNIC (государство и UNIC)", "UNIC（本国和UNIC）",
                    "UNIC (الدولة وUNIC)"},
    [L_VIS_PUBLIC] = {"public", "publique", "pública", "открытая", "公开", "عامة"},
    [L_FOOTER] = {"Generated on {1} from revision {2}", "Généré le {1} à partir de la révision {2}",
                  "Generado el {1} a partir de la revisión {2}", "Создано {1} по редакции {2}",
                  "生成于 {1}，依据第 {2} 版", "أُنشئ في {1} من المراجعة {2}"},
    [L_STAGE_0] = {"Not started", "Non commencé", "No iniciado", "Не начато", "未开始", "لم يبدأ"},
    [L_STAGE_1] = {"Start-up", "Démarrage", "Inicial", "Начальный", "起步", "البداية"},
    [L_STAGE_2] = {"Formative", "Formatif", "Formativo", "Формирующийся", "形成", "التكوين"},
    [L_STAGE_3] = {"Established", "Établi", "Establecido", "Сложившийся", "确立", "الترسخ"},
    [L_STAGE_4] = {"Strategic", "Stratégique", "Estratégico", "Стратегический", "战略",
                   "الاستراتيجية"},
    [L_STAGE_5] = {"Dynamic", "Dynamique", "Dinámico", "Динамичный", "动态", "الديناميكية"},
    [L_COMPLIANCE_TITLE] = {"Report of {1} on its compliance with resolution #1, {2}",
                            "Rapport de {1} sur le respect de la résolution n° 1, {2}",
                            "Informe de {1} sobre el cumplimiento de la resolución n.º 1, {2}",
                            "Доклад: {1}, соблюдение резолюции № 1, {2}",
                            "{1}关于遵守第1号决议情况的报告，{2}", "تقرير {1} عن امتثالها للقرار رقم 1، {2}"},
    [L_PARAGRAPH] = {"Paragraph", "Paragraphe", "Párrafo", "Пункт", "段落", "الفقرة"},
    [L_DUTY] = {"Duty", "Obligation", "Obligación", "Обязательство", "义务", "الالتزام"},
    [L_DEADLINE] = {"Deadline", "Échéance", "Plazo", "Срок", "截止日期", "الموعد النهائي"},
    [L_ANSWER] = {"Answer", "Réponse", "Respuesta", "Ответ", "答复", "الإجابة"},
    [L_DATE] = {"Date", "Date", "Fecha", "Дата", "日期", "التاريخ"},
    [L_NARRATIVE] = {"Narrative", "Exposé", "Descripción", "Пояснение", "说明", "الشرح"},
    [L_STATUS_AS_OF] = {"Status as of {1}", "Statut au {1}", "Situación al {1}", "Статус на {1}",
                        "截至 {1} 的状态", "الحالة في {1}"},
    [L_YES] = {"Yes", "Oui", "Sí", "Да", "是", "نعم"},
    [L_NO] = {"No", "Non", "No", "Нет", "否", "لا"},
    [L_UNANSWERED] = {"Not answered", "Sans réponse", "Sin respuesta", "Нет ответа", "未作答",
                      "بلا إجابة"},
    [L_ST_MET] = {"Met", "Respectée", "Cumplida", "Выполнено", "已履行", "مستوفى"},
    [L_ST_MET_LATE] = {"Met late", "Respectée en retard", "Cumplida con retraso",
                       "Выполнено с опозданием", "逾期履行", "مستوفى متأخرًا"},
    [L_ST_OPEN] = {"Open", "En cours", "Pendiente", "Открыто", "未到期", "مفتوح"},
    [L_ST_OVERDUE] = {"Overdue", "En retard", "Vencida", "Просрочено", "已逾期", "متأخر"},
    [L_ST_UNKNOWN] = {"Unknown", "Inconnu", "Desconocido", "Неизвестно", "未知", "غير معروف"},
    [L_ST_NOT_APPLICABLE] = {"Not applicable", "Sans objet", "No aplicable", "Неприменимо",
                             "不适用", "لا ينطبق"},
    [L_TRANSMITTAL] = {"Transmitted to the Secretary-General and to UNIC under paragraph 8 of "
                       "resolution #1.",
                       "Transmis au Secrétaire général et à l'UNIC en application du "
                       "paragraphe 8 de la résolution n° 1.",
                       "Transmitido al Secretario General y a UNIC en virtud del párrafo 8 de "
                       "la resolución n.º 1.",
                       "Направлено Генеральному секретарю и UNIC в соответствии с пунктом 8 "
                       "резолюции № 1.",
                       "根据第1号决议第8段转交秘书长和UNIC。",
                       "يُحال إلى الأمين العام وإلى UNIC عملًا بالفقرة 8 من القرار رقم 1."},
    [L_COMPLIANCE_FOOTER] = {"Generated on {1}", "Généré le {1}", "Generado el {1}", "Создано {1}",
                             "生成于 {1}", "أُنشئ في {1}"},
};

static int lang_of(const char *locale)
{
    for (int i = 0; i < LANG_COUNT; i++)
        if (strcmp(locale, codes[i]) == 0)
            return i;
    return -1;
}

bool labels_locale_valid(const char *locale)
{
    return lang_of(locale) >= 0;
}

bool labels_rtl(const char *locale)
{
    return lang_of(locale) == LANG_AR;
}

const char *labels_get(const char *locale, enum label l)
{
    int lang = lang_of(locale);
    if ((int)l < 0 || l >= L_COUNT)
        return "";
    return table[l][lang < 0 ? LANG_EN : lang];
}

size_t labels_fill(char *buf, size_t size, const char *locale, enum label l, const char *arg1,
                   const char *arg2)
{
    const char *p = labels_get(locale, l);
    size_t n = 0;
    while (*p) {
        const char *arg = NULL;
        if (p[0] == '{' && (p[1] == '1' || p[1] == '2') && p[2] == '}')
            arg = p[1] == '1' ? arg1 : arg2;
        if (arg) {
            for (; *arg; arg++, n++)
                if (n + 1 < size)
                    buf[n] = *arg;
            p += 3;
        } else {
            if (n + 1 < size)
                buf[n] = *p;
            n++;
            p++;
        }
    }
    if (size)
        buf[n < size ? n : size - 1] = '\0';
    return n;
}
