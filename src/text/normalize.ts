// Text clean-up exactly as Hugging Face's CLIPTokenizer does it when ftfy is not installed: it then runs
// BasicTokenizer(do_lower_case=True, strip_accents=False, do_split_on_punc=False, tokenize_chinese_chars=True).
// Steps (transformers' BasicTokenizer.tokenize): drop NUL, U+FFFD and control characters; map whitespace to ' ';
// put spaces around CJK ideographs; NFC; split on whitespace; lower-case each word; join with single spaces.
// No HTML unescaping (that is ftfy's job, and ftfy is not used).

/** Category Zs, which BasicTokenizer._is_whitespace treats as a space alongside \t \n \r. */
const SPACE_SEPARATOR = /^\p{Zs}$/u
/** Category C* (Cc, Cf, Cs, Co, Cn), which BasicTokenizer._is_control drops (\t \n \r are handled first). */
const CONTROL = /^\p{C}$/u
/** What Python's str.split() splits on that can survive the cleaning above (U+2028 and U+2029 are Zl/Zp). */
const PYTHON_SPLIT_WHITESPACE = /[\s\u001c-\u001f\u0085]+/u

/** The CJK ideograph blocks of BasicTokenizer._is_chinese_char (not kana or hangul). */
function isCjkIdeograph(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  )
}

/** Returns the cleaned, lower-cased words of `text`, joined by single spaces. */
export function normalizeClipText(text: string): string {
  let cleaned = ''
  for (const ch of text) {
    const cp = ch.codePointAt(0)!
    if (cp === 0 || cp === 0xfffd) continue
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || SPACE_SEPARATOR.test(ch)) {
      cleaned += ' '
    } else if (CONTROL.test(ch)) {
      continue
    } else if (isCjkIdeograph(cp)) {
      cleaned += ` ${ch} `
    } else {
      cleaned += ch
    }
  }
  return cleaned
    .normalize('NFC')
    .split(PYTHON_SPLIT_WHITESPACE)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase())
    .join(' ')
}
