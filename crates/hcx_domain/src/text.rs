//! Cleaning free text from outside sources.

/// Turns HTML into plain text: tags dropped (block ends become line breaks),
/// entities decoded, runs of spaces collapsed, blank lines squeezed.
pub fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find(['<', '&']) {
        out.push_str(&rest[..start]);
        rest = &rest[start..];
        if rest.starts_with('<') {
            match rest.find('>') {
                Some(end) => {
                    let tag = rest[1..end].trim_start_matches('/').to_ascii_lowercase();
                    let name = tag
                        .split(|c: char| c.is_whitespace() || c == '/')
                        .next()
                        .unwrap_or("");
                    if matches!(
                        name,
                        "br" | "p" | "li" | "div" | "tr" | "h1" | "h2" | "h3" | "h4" | "ul" | "ol"
                    ) {
                        out.push('\n');
                    }
                    rest = &rest[end + 1..];
                }
                None => {
                    out.push_str(rest);
                    rest = "";
                }
            }
        } else {
            let (decoded, used) = decode_entity(rest);
            out.push_str(&decoded);
            rest = &rest[used..];
        }
    }
    out.push_str(rest);
    tidy_whitespace(&out)
}

fn decode_entity(s: &str) -> (String, usize) {
    let Some(end) = s[1..].find(';').map(|i| i + 1).filter(|&i| i <= 10) else {
        return ("&".into(), 1);
    };
    let name = &s[1..end];
    let decoded = if let Some(num) = name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
        u32::from_str_radix(num, 16).ok().and_then(char::from_u32)
    } else if let Some(num) = name.strip_prefix('#') {
        num.parse().ok().and_then(char::from_u32)
    } else {
        named_entity(name)
    };
    match decoded {
        Some(c) if !c.is_control() || c == '\n' => (c.to_string(), end + 1),
        Some(_) => (String::new(), end + 1),
        None => ("&".into(), 1),
    }
}

fn named_entity(name: &str) -> Option<char> {
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "rsquo" | "lsquo" => '\'',
        "ldquo" | "rdquo" => '"',
        "ndash" => '–',
        "mdash" => '—',
        "hellip" => '…',
        "pound" => '£',
        "euro" => '€',
        "copy" => '©',
        "reg" => '®',
        "bull" => '•',
        "middot" => '·',
        _ => return None,
    })
}

/// Collapses spaces within lines, trims each line and keeps at most one blank line between paragraphs.
pub fn tidy_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_run = 0;
    for line in s.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if words.is_empty() {
            blank_run += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_run > 0 { "\n\n" } else { "\n" });
        }
        blank_run = 0;
        out.push_str(&words.join(" "));
    }
    out
}

/// A lower-case identifier made of letters, digits and hyphens.
pub fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_plain_paragraphs() {
        let html = "<p>The extent of works:</p><br /><p><strong>Principal&nbsp;Design</strong> &amp; more &ldquo;x&rdquo;</p>";
        assert_eq!(
            strip_html(html),
            "The extent of works:\n\nPrincipal Design & more \"x\""
        );
    }

    #[test]
    fn stray_angle_brackets_and_ampersands_survive() {
        assert_eq!(strip_html("a & b"), "a & b");
        assert_eq!(strip_html("fish &chips; x"), "fish &chips; x");
        assert_eq!(strip_html("5 < 6"), "5 < 6");
        assert_eq!(strip_html("&#8217;&#x41;"), "\u{2019}A");
    }

    #[test]
    fn windows_line_breaks_and_spaces_are_tidied() {
        assert_eq!(tidy_whitespace("  a  b\r\nc \r\n\r\n\r\n d"), "a b\nc\n\nd");
    }

    #[test]
    fn slugs_are_url_safe() {
        assert_eq!(
            slug("Public Works Advisory - Hunter New England Region"),
            "public-works-advisory-hunter-new-england-region"
        );
        assert_eq!(slug("  --x--  "), "x");
    }
}
