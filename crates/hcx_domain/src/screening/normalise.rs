//! Names reduced to what screening compares: Latin letters and digits in
//! lower case, without accents, punctuation, honorifics or the legal form of
//! a company, whether written in Latin, Cyrillic, Greek, Arabic, Armenian,
//! Georgian or Hebrew script (other scripts are not read yet: their letters
//! become spaces).
//!
//! Transliteration follows the common romanisations letter by letter
//! (BGN/PCGN for Russian and Ukrainian Cyrillic, ELOT 743 for Greek without
//! its digraphs, a simplified scheme for Arabic and Persian without vowel
//! marks, the Library of Congress scheme for Armenian, Georgia's national
//! scheme, Hebrew consonants), reduced to plain ASCII: screening must meet a
//! name written by a clerk who never saw the original.

use unicode_normalization::UnicodeNormalization;

/// A name as screening compares it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NormalName {
    /// The name's words, in order, without honorifics or legal forms.
    pub tokens: Vec<String>,
    /// The legal forms found (canonical: `llc`, `jsc`, `plc`, …), as
    /// evidence that the name is a company's.
    pub legal_forms: Vec<&'static str>,
    /// Each token as it sounds, by `spelling`: what two romanisations of
    /// one name have in common.
    pub spelled: Vec<String>,
}

impl NormalName {
    /// The tokens joined by single spaces.
    pub fn text(&self) -> String {
        self.tokens.join(" ")
    }
}

/// Reads a name: transliterated, folded to ASCII lower case, split into
/// words on anything not a letter or digit, honorifics dropped and legal
/// forms set apart. Dotted initials and abbreviations join up (`L.L.C.` is
/// `llc`, `J.` is `j`).
pub fn normalise(name: &str) -> NormalName {
    // Apostrophes join what they stand between: `O'Connell`, `Shafa'i`.
    let latin = to_ascii(name).replace(['\'', '`'], "");
    let mut words: Vec<String> = Vec::new();
    for chunk in latin.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')) {
        // "l.l.c." and "s.a." are one word; "j.smith" is two.
        let parts: Vec<&str> = chunk.split('.').filter(|p| !p.is_empty()).collect();
        if parts.len() > 1 && parts.iter().all(|p| p.len() == 1) {
            words.push(parts.concat());
        } else {
            words.extend(parts.into_iter().map(str::to_owned));
        }
    }
    let mut out = NormalName::default();
    let mut i = 0;
    while i < words.len() {
        if let Some((form, used)) = legal_form(&words[i..]) {
            out.legal_forms.push(form);
            i += used;
            continue;
        }
        if !HONORIFICS.contains(&words[i].as_str()) {
            let word = std::mem::take(&mut words[i]);
            // The Arabic article, however it is written.
            out.tokens.push(if ARTICLES.contains(&word.as_str()) {
                "al".to_owned()
            } else {
                word
            });
        }
        i += 1;
    }
    // A name that is nothing but a form or a title is kept as it was read.
    if out.tokens.is_empty() {
        out.tokens = latin
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(str::to_owned)
            .collect();
    }
    out.spelled = out.tokens.iter().map(|t| spelling(t)).collect();
    out
}

/// Given names that romanisations of Arabic, Persian, Turkish and Russian
/// spell many ways, each with the spellings that differ by more than
/// `spelling` folds: one person's name, however a clerk wrote it.
const GIVEN_NAMES: [(&str, &[&str]); 22] = [
    (
        "muhammad",
        &[
            "mohammed", "mohammad", "mohamed", "muhammed", "mohamad", "muhamad", "mohd",
            "muhammet", "mehmet", "mohamud", "mahomed", "mohammod",
        ],
    ),
    ("ahmad", &["ahmed", "ahmet", "ehmed"]),
    (
        "husayn",
        &[
            "hussein", "hussain", "husain", "hossein", "hosein", "husein", "huseyin", "hussien",
        ],
    ),
    ("abdullah", &["abdulla", "abdallah", "abdalla"]),
    (
        "yusuf",
        &[
            "yousef", "youssef", "yusef", "yousuf", "yousif", "yosef", "youssouf",
        ],
    ),
    ("mahmud", &["mahmoud", "mahmood", "mehmood"]),
    ("mustafa", &["mostafa", "moustafa", "mustapha", "mostapha"]),
    ("usama", &["osama", "oussama", "ousama"]),
    ("umar", &["omar", "omer"]),
    ("uthman", &["othman", "osman", "usman", "othmane"]),
    ("said", &["saeed", "saeid", "saied", "sa'id"]),
    ("abd", &["abdul", "abdel", "abdal", "abdol"]),
    ("muhsin", &["mohsen", "mohsin", "muhsen"]),
    ("hamid", &["hamed", "hameed"]),
    ("rahman", &["rehman", "rahmane"]),
    ("jafar", &["jaafar", "jaffar", "djafar"]),
    ("ibrahim", &["ebrahim", "ibraheem", "brahim"]),
    ("ismail", &["ismael", "esmail", "ismayil", "ismayl"]),
    ("yakub", &["yacoub", "yaqub", "yaqoob", "yakoub", "yacub"]),
    ("yuri", &["yury", "yuriy", "iurii", "yurii"]),
    ("ali", &["aly", "alee"]),
    ("hasan", &["hassan", "hasson", "hassen"]),
];

/// Ways of writing the Arabic article `al`.
const ARTICLES: [&str; 3] = ["el", "ul", "al"];

/// A word as it sounds rather than as one romanisation spells it: the
/// equivalences of common transliterations folded together (`kh` and `h`,
/// `ph` and `f`, `w` and `v`, `y` and `i`, `ou` and `u`, `ee` and `i`, `x`
/// and `ks`, a final `ff` and `v`), doubled letters made single.
/// `Shuvaloff` and `Shuvalov`, `Hameed` and `Hamid`, `Alexandr` and
/// `Aleksandr` meet.
pub fn spelling(word: &str) -> String {
    let mut w = GIVEN_NAMES
        .iter()
        .find(|(_, forms)| forms.contains(&word))
        .map_or(word, |(name, _)| name)
        .to_owned();
    if let Some(stem) = w.strip_suffix("ff") {
        w = format!("{stem}v");
    }
    for (from, to) in [
        ("sch", "sh"),
        ("tch", "ch"),
        ("kh", "h"),
        ("ph", "f"),
        ("ck", "k"),
        ("ou", "u"),
        ("ee", "i"),
        ("oo", "u"),
        ("x", "ks"),
        ("q", "k"),
        ("w", "v"),
        ("y", "i"),
    ] {
        if w.contains(from) {
            w = w.replace(from, to);
        }
    }
    let mut out = String::with_capacity(w.len());
    for c in w.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Lower-case ASCII letters, digits and separators for any text.
pub fn to_ascii(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.to_lowercase().chars() {
        if c.is_ascii() {
            out.push(c);
            continue;
        }
        if let Some(latin) = transliterate(c) {
            out.push_str(latin);
            continue;
        }
        // Accented Latin letters: the base letter without its marks.
        let mut stripped = false;
        for d in c.nfkd() {
            if d.is_ascii() {
                out.push(d.to_ascii_lowercase());
                stripped = true;
            }
        }
        if !stripped {
            out.push(' ');
        }
    }
    out
}

/// One non-ASCII letter in Latin letters, or `None` when its decomposition
/// will do (accented Latin letters).
fn transliterate(c: char) -> Option<&'static str> {
    let latin = match c {
        // Apostrophes and the letters written like them.
        '\u{2019}' | '\u{2018}' | '\u{02bc}' | '\u{02bb}' | '\u{02b9}' => "'",
        // Latin letters that do not decompose.
        'ß' => "ss",
        'æ' => "ae",
        'œ' => "oe",
        'ø' => "o",
        'đ' | 'ð' => "d",
        'ł' => "l",
        'þ' => "th",
        'ı' => "i",
        'ħ' => "h",
        'ŀ' => "l",
        // Russian, Ukrainian, Belarusian and Serbian Cyrillic.
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' => "g",
        'ґ' => "g",
        'д' => "d",
        'е' => "e",
        'ё' => "e",
        'є' => "ye",
        'ж' => "zh",
        'з' => "z",
        'и' => "i",
        'і' => "i",
        'ї' => "yi",
        'й' => "y",
        'к' => "k",
        'л' => "l",
        'м' => "m",
        'н' => "n",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'у' => "u",
        'ў' => "u",
        'ф' => "f",
        'х' => "kh",
        'ц' => "ts",
        'ч' => "ch",
        'ш' => "sh",
        'щ' => "shch",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'э' => "e",
        'ю' => "yu",
        'я' => "ya",
        'ђ' => "dj",
        'ј' => "j",
        'љ' => "lj",
        'њ' => "nj",
        'ћ' => "c",
        'џ' => "dz",
        // Greek, with its accented vowels.
        'α' | 'ά' => "a",
        'β' => "v",
        'γ' => "g",
        'δ' => "d",
        'ε' | 'έ' => "e",
        'ζ' => "z",
        'η' | 'ή' => "i",
        'θ' => "th",
        'ι' | 'ί' | 'ϊ' | 'ΐ' => "i",
        'κ' => "k",
        'λ' => "l",
        'μ' => "m",
        'ν' => "n",
        'ξ' => "x",
        'ο' | 'ό' => "o",
        'π' => "p",
        'ρ' => "r",
        'σ' | 'ς' => "s",
        'τ' => "t",
        'υ' | 'ύ' | 'ϋ' | 'ΰ' => "y",
        'φ' => "f",
        'χ' => "ch",
        'ψ' => "ps",
        'ω' | 'ώ' => "o",
        // Arabic consonants and long vowels; short vowel marks are dropped.
        'ا' | 'أ' | 'إ' | 'آ' | 'ٱ' => "a",
        'ب' => "b",
        'ت' | 'ة' => "t",
        'ث' => "th",
        'ج' => "j",
        'ح' => "h",
        'خ' => "kh",
        'د' => "d",
        'ذ' => "dh",
        'ر' => "r",
        'ز' => "z",
        'س' => "s",
        'ش' => "sh",
        'ص' => "s",
        'ض' => "d",
        'ط' => "t",
        'ظ' => "z",
        'ع' | 'ء' | 'ئ' | 'ؤ' => "",
        'غ' => "gh",
        'ف' => "f",
        'ق' => "q",
        'ك' | 'ک' => "k",
        'ل' => "l",
        'م' => "m",
        'ن' => "n",
        'ه' => "h",
        'و' => "w",
        'ي' | 'ى' | 'ی' => "y",
        // Armenian (the Library of Congress romanisation, without marks).
        'ա' => "a",
        'բ' => "b",
        'գ' => "g",
        'դ' => "d",
        'ե' | 'է' => "e",
        'զ' => "z",
        'ը' | 'յ' => "y",
        'թ' | 'տ' => "t",
        'ժ' => "zh",
        'ի' => "i",
        'լ' => "l",
        'խ' => "kh",
        'ծ' | 'ց' => "ts",
        'կ' | 'ք' => "k",
        'հ' => "h",
        'ձ' => "dz",
        'ղ' => "gh",
        'ճ' | 'չ' => "ch",
        'մ' => "m",
        'ն' => "n",
        'շ' => "sh",
        'ո' | 'օ' => "o",
        'պ' | 'փ' => "p",
        'ջ' => "j",
        'ռ' | 'ր' => "r",
        'ս' => "s",
        'վ' | 'ւ' => "v",
        'ֆ' => "f",
        'և' => "ev",
        // Georgian (the national romanisation of 2002).
        'ა' => "a",
        'ბ' => "b",
        'გ' => "g",
        'დ' => "d",
        'ე' => "e",
        'ვ' => "v",
        'ზ' => "z",
        'თ' | 'ტ' => "t",
        'ი' => "i",
        'კ' | 'ქ' => "k",
        'ლ' => "l",
        'მ' => "m",
        'ნ' => "n",
        'ო' => "o",
        'პ' | 'ფ' => "p",
        'ჟ' => "zh",
        'რ' => "r",
        'ს' => "s",
        'უ' => "u",
        'ღ' => "gh",
        'ყ' => "q",
        'შ' => "sh",
        'ჩ' | 'ჭ' => "ch",
        'ც' | 'წ' => "ts",
        'ძ' => "dz",
        'ხ' => "kh",
        'ჯ' => "j",
        'ჰ' => "h",
        // Hebrew consonants (vowel points dropped; alef and ayin silent).
        'ב' => "b",
        'ג' => "g",
        'ד' => "d",
        'ה' => "h",
        'ו' => "v",
        'ז' => "z",
        'ח' | 'כ' | 'ך' => "kh",
        'ט' | 'ת' => "t",
        'י' => "y",
        'ל' => "l",
        'מ' | 'ם' => "m",
        'נ' | 'ן' => "n",
        'ס' => "s",
        'פ' | 'ף' => "p",
        'צ' | 'ץ' => "ts",
        'ק' => "k",
        'ר' => "r",
        'ש' => "sh",
        'א' | 'ע' | '\u{0591}'..='\u{05C7}' => "",
        'پ' => "p",
        'چ' => "ch",
        'ژ' => "zh",
        'گ' => "g",
        '\u{064B}'..='\u{0652}' | '\u{0670}' | 'ـ' => "",
        _ => return None,
    };
    Some(latin)
}

/// Titles and forms of address, in ASCII lower case, dropped from names.
const HONORIFICS: [&str; 24] = [
    "mr", "mrs", "ms", "miss", "dr", "prof", "sir", "dame", "lord", "lady", "sheikh", "shaikh",
    "sheik", "haji", "hajji", "sayyid", "general", "gen", "colonel", "col", "captain", "capt",
    "mullah", "maulana",
];

/// Legal forms as they are written (words in order, ASCII lower case), each
/// with its canonical name: the forms that say the same are one.
const LEGAL_FORMS: &[(&[&str], &str)] = &[
    (&["limited", "liability", "company"], "llc"),
    (&["public", "limited", "company"], "plc"),
    (&["joint", "stock", "company"], "jsc"),
    (&["closed", "joint", "stock", "company"], "jsc"),
    (&["open", "joint", "stock", "company"], "jsc"),
    // Russian forms written out in Latin letters.
    (
        &["obshchestvo", "s", "ogranichennoi", "otvetstvennostyu"],
        "llc",
    ),
    (
        &["obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"],
        "llc",
    ),
    (
        &["obshchestvo", "s", "ogranichennoi", "otvetstvennostiu"],
        "llc",
    ),
    (&["aktsionernoe", "obshchestvo"], "jsc"),
    (&["zakrytoe", "aktsionernoe", "obshchestvo"], "jsc"),
    (&["otkrytoe", "aktsionernoe", "obshchestvo"], "jsc"),
    (&["publichnoe", "aktsionernoe", "obshchestvo"], "jsc"),
    (&["gmbh", "co", "kg"], "kg"),
    (&["co", "kg"], "kg"),
    (&["kg"], "kg"),
    (&["sa", "de", "cv"], "sa"),
    (&["societe", "anonyme"], "sa"),
    (&["sociedad", "anonima"], "sa"),
    (&["limited", "company"], "ltd"),
    (&["co", "ltd"], "ltd"),
    (&["company", "limited"], "ltd"),
    (&["co"], "ltd"),
    (&["llc"], "llc"),
    (&["ooo"], "llc"),
    (&["tov"], "llc"),
    (&["gmbh"], "llc"),
    (&["sarl"], "llc"),
    (&["srl"], "llc"),
    (&["ltd"], "ltd"),
    (&["limited"], "ltd"),
    (&["plc"], "plc"),
    (&["jsc"], "jsc"),
    (&["ojsc"], "jsc"),
    (&["cjsc"], "jsc"),
    (&["pjsc"], "jsc"),
    (&["zao"], "jsc"),
    (&["oao"], "jsc"),
    (&["pao"], "jsc"),
    (&["ag"], "jsc"),
    (&["sa"], "sa"),
    (&["inc"], "inc"),
    (&["corp"], "inc"),
];

/// The longest legal form at the start of `words`, with how many words it takes.
fn legal_form(words: &[String]) -> Option<(&'static str, usize)> {
    LEGAL_FORMS
        .iter()
        .filter(|(form, _)| {
            form.len() <= words.len() && form.iter().zip(words).all(|(f, w)| f == w)
        })
        .max_by_key(|(form, _)| form.len())
        .map(|(form, canonical)| (*canonical, form.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(name: &str) -> String {
        normalise(name).text()
    }

    #[test]
    fn case_accents_and_punctuation_go() {
        assert_eq!(text("José  María   AZNAR-López"), "jose maria aznar lopez");
        assert_eq!(text("Müller, Jürgen"), "muller jurgen");
        assert_eq!(text("Łukasz Øre Straße"), "lukasz ore strasse");
        assert_eq!(text("O'Brien"), "obrien");
        assert_eq!(text("Muhsin SHAFA’I"), "muhsin shafai");
    }

    #[test]
    fn cyrillic_greek_and_arabic_read_as_the_latin_spelling_a_clerk_would_write() {
        assert_eq!(text("Владимир Путин"), "vladimir putin");
        assert_eq!(text("Сергей Шойгу"), "sergey shoygu");
        assert_eq!(text("Юлія Тимошенко"), "yuliya timoshenko");
        assert_eq!(text("Αλέξης Τσίπρας"), "alexis tsipras");
        assert_eq!(text("محمد"), "mhmd");
        assert_eq!(text("Բարակ Օբամա"), "barak obama");
        assert_eq!(text("ბარაკ ობამა"), "barak obama");
        assert_eq!(text("בנימין נתניהו"), "bnymyn ntnyhv");
    }

    #[test]
    fn honorifics_are_dropped_and_legal_forms_set_apart_as_one() {
        let n = normalise("Dr. Ahmed Al-Sayed");
        assert_eq!(n.text(), "ahmed al sayed");
        for (name, form) in [
            ("Rosneft Trading L.L.C.", "llc"),
            ("ООО Ромашка", "llc"),
            ("Anglo-Caribbean Co., Ltd.", "ltd"),
            ("Siemens AG", "jsc"),
            ("Acme Limited Liability Company", "llc"),
            ("Banco Sociedad Anónima", "sa"),
        ] {
            let n = normalise(name);
            assert_eq!(n.legal_forms, [form], "{name}: {n:?}");
            assert!(!n.tokens.is_empty());
        }
        assert_eq!(normalise("ООО Ромашка").text(), "romashka");
    }

    #[test]
    fn a_name_that_is_only_a_title_or_a_form_keeps_its_words() {
        assert_eq!(text("Sheikh"), "sheikh");
        assert_eq!(text("S.A."), "s a");
    }

    proptest::proptest! {
        #[test]
        fn any_text_becomes_lower_case_ascii_words(name in "\\PC{0,40}") {
            let n = normalise(&name);
            for t in &n.tokens {
                proptest::prop_assert!(!t.is_empty());
                proptest::prop_assert!(
                    t.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit()),
                    "{t:?} from {name:?}"
                );
            }
        }
    }

    #[test]
    fn dotted_initials_join_and_dotted_words_split() {
        assert_eq!(text("J. R. R. Tolkien"), "j r r tolkien");
        assert_eq!(text("U.S.A. Holdings"), "usa holdings");
        assert_eq!(text("j.smith"), "j smith");
    }
}
