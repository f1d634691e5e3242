"""The privacy check in the six UN languages (issue 13): Arabic, Chinese, English, French,
Russian and Spanish samples of each kind of personal data it looks for, the words it must find
whole (accented and non-Latin letters), and programme text in each language it must leave
alone. The expected findings are written out literally."""

import pytest

from repository.submissions.privacy import scan, unexplained

# (language, text, kind, the excerpt shown to the partner)
FLAGGED = [
    # English
    ("en", "A 16-year-old from Évora was referred to the shelter.", "age_place",
     "16-year-old from Évora"),
    ("en", "Mary K. told the team about the recruiter.", "initial", "Mary K."),
    ("en", "The case worker, J. Okafor, followed up.", "initial", "J. Okafor"),
    ("en", "Ms Amina Bello was rescued in 2019.", "name", "Ms Amina Bello"),
    ("en", "Call +44 20 7946 0958 for the hotline manager.", "phone", "+44 20 7946 0958"),
    ("en", "Write to maria.lopez@example.org for the file.", "email", "maria.lopez@example.org"),
    ("en", "Her passport number: K1234567 was kept by the employer.", "id_number",
     "passport number: K1234567"),
    # French
    ("fr", "Une jeune fille de 16 ans originaire de Soubré a été orientée.", "age_place",
     "16 ans originaire de Soubré"),
    ("fr", "Mme Awa Koné a témoigné devant le tribunal.", "name", "Mme Awa Koné"),
    ("fr", "Une victime nommée Aïcha a été hébergée.", "name", "nommée Aïcha"),
    ("fr", "Appelez le 00 225 07 12 34 56 78 pour joindre la famille.", "phone",
     "00 225 07 12 34 56 78"),
    ("fr", "Son passeport n° 18AB12345 a été confisqué.", "id_number",
     "passeport n° 18AB12345"),
    # Spanish
    ("es", "Una niña de 14 años procedente de Potosí fue rescatada.", "age_place",
     "14 años procedente de Potosí"),
    ("es", "La víctima llamada Lucía Pérez declaró en el juicio.", "name",
     "llamada Lucía Pérez"),
    ("es", "Sra. Núñez coordinó el albergue.", "name", "Sra. Núñez"),
    ("es", "Escriba a lucia.perez@correo.example para el expediente.", "email",
     "lucia.perez@correo.example"),
    ("es", "Llame al +52 55 1234 5678 para hablar con ella.", "phone", "+52 55 1234 5678"),
    # Russian
    ("ru", "Девушка 17 лет из Кишинёва обратилась на горячую линию.", "age_place",
     "17 лет из Кишинёва"),
    ("ru", "Пострадавшая по имени Ольга Смирнова дала показания.", "name",
     "по имени Ольга Смирнова"),
    ("ru", "Г-жа Иванова руководила приютом.", "name", "Г-жа Иванова"),
    ("ru", "Звоните +7 495 123-45-67 в любое время.", "phone", "+7 495 123-45-67"),
    ("ru", "Её паспорт № 4509 123456 был изъят.", "id_number", "паспорт № 4509 123456"),
    # Arabic
    ("ar", "فتاة تبلغ 15 عاما من الموصل أحيلت إلى المأوى.", "age_place", "15 عاما من الموصل"),
    ("ar", "السيدة فاطمة الزهراء قدمت شهادتها.", "name", "السيدة فاطمة الزهراء"),
    ("ar", "اتصلوا على +964 770 123 4567 للتواصل مع الأسرة.", "phone", "+964 770 123 4567"),
    ("ar", "جواز سفر رقم A12345678 صودر من قبل صاحب العمل.", "id_number",
     "جواز سفر رقم A12345678"),
    # Chinese
    ("zh", "一名来自云南的16岁女孩被转介到庇护所。", "age_place", "来自云南的16岁"),
    ("zh", "受害者李小红在法庭上作证。", "name", "受害者李小红"),
    ("zh", "王女士负责该庇护所。", "name", "王女士"),
    ("zh", "请拨打 +86 10 6552 9988 联系家属。", "phone", "+86 10 6552 9988"),
    ("zh", "请发送至 li.xiaohong@example.cn 获取档案。", "email", "li.xiaohong@example.cn"),
    ("zh", "她的护照号码 E12345678 被雇主扣留。", "id_number", "护照号码 E12345678"),
]  # fmt: skip


@pytest.mark.parametrize(("language", "text", "kind", "excerpt"), FLAGGED)
def test_personal_data_is_found_whole_in_each_language(language, text, kind, excerpt):
    found = {(w.kind, w.excerpt) for w in scan({"description": text})}
    assert (kind, excerpt) in found, found


# Programme text that reads like a good practice, in each language: nothing to flag.
CLEAN = [
    ("en", "The programme ran from 2003-2008 in 12 provinces and trained 1,250 officers."),
    ("en", "Victims aged 18 and over receive a residence permit under Annex A. of the law."),
    ("fr", "Le programme a formé 350 inspecteurs du travail en Côte d'Ivoire entre 2015 et 2019."),
    ("fr", "Les victimes de plus de 18 ans reçoivent un titre de séjour."),
    ("es", "El Ministerio de Trabajo de México capacitó a 1.200 inspectores en 2018."),
    ("es", "La línea de ayuda atiende en español, quechua y aimara."),
    ("ru", "Программа работала в Молдове с 2010 по 2015 год и обучила 400 сотрудников."),
    ("ru", "Горячая линия принимает звонки на русском и румынском языках."),
    ("ar", "دربت الوزارة 300 مفتش عمل في العراق بين عامي 2016 و2019."),
    ("ar", "يقدم البرنامج المأوى والدعم القانوني للضحايا."),
    ("zh", "该项目于2015年至2019年在云南省培训了500名劳动监察员。"),
    ("zh", "热线以中文和越南语提供服务。"),
]


@pytest.mark.parametrize(("language", "text"), CLEAN)
def test_programme_text_in_each_language_raises_nothing(language, text):
    assert scan({"description": text, "summary": text}) == []


def test_every_un_language_has_samples_of_names_ages_and_phones():
    for language in ("ar", "en", "es", "fr", "ru", "zh"):
        kinds = {kind for lang, _text, kind, _excerpt in FLAGGED if lang == language}
        assert {"name", "age_place", "phone"} <= kinds | {"initial"}, language
        assert any(lang == language for lang, _text in CLEAN), language


def test_a_finding_is_submitted_only_with_an_explanation_of_its_own():
    warnings = scan(
        {"description": "Mary K. spoke to the team.", "summary": "Call +44 20 7946 0958."}
    )
    assert [(w.field, w.kind) for w in warnings] == [
        ("summary", "phone"),
        ("description", "initial"),
    ]
    by_kind = {w.kind: w for w in warnings}
    explained = {by_kind["initial"].key: "Mary K. is the programme's public spokesperson."}
    assert unexplained(warnings, explained) == [by_kind["phone"]]
    # Too short to say anything: still unexplained.
    assert len(unexplained(warnings, {by_kind["phone"].key: "ok"})) == 2


def test_an_explanation_stays_with_its_finding_when_other_text_changes():
    before = scan({"description": "Mary K. spoke.", "results": "Fine."})
    after = scan({"description": "Mary K. spoke.", "results": "Much better results."})
    assert [w.key for w in before] == [w.key for w in after]
