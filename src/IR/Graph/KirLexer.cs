using System.Text;

namespace Kiln.IR;

/// <summary>The kinds of <c>.kir</c> tokens.</summary>
internal enum KirTokenKind : byte
{
    /// <summary>A value name after '%' (the text holds the name without it).</summary>
    Value,
    /// <summary>A global name after '@' (graph names, tensor constants).</summary>
    Global,
    /// <summary>A dim symbol after '?' (empty for an anonymous dynamic dim).</summary>
    Symbol,
    /// <summary>A keyword, op name, label or dtype.</summary>
    Ident,
    /// <summary>An integer literal.</summary>
    Int,
    /// <summary>A float literal (with '.', an exponent, or inf/nan).</summary>
    Float,
    /// <summary>A string literal (the text holds it unescaped).</summary>
    String,
    /// <summary>Punctuation: ( ) [ ] { } &lt; &gt; , : = -&gt;.</summary>
    Punct,
    /// <summary>The end of the text.</summary>
    End,
}

/// <summary>One token and where it starts.</summary>
internal readonly record struct KirToken(KirTokenKind Kind, string Text, int Line, int Column)
{
    /// <summary>How messages show the token.</summary>
    public string Describe() => Kind switch
    {
        KirTokenKind.End => "the end of the text",
        KirTokenKind.Value => $"'%{Text}'",
        KirTokenKind.Global => $"'@{Text}'",
        KirTokenKind.Symbol => $"'?{Text}'",
        KirTokenKind.String => $"string {KirSyntax.Quote(Text)}",
        _ => $"'{Text}'",
    };
}

/// <summary>Splits <c>.kir</c> text into tokens; '#' starts a comment that runs to the end of the line.</summary>
internal static class KirLexer
{
    public static List<KirToken> Tokenize(string text)
    {
        var tokens = new List<KirToken>();
        int i = 0, line = 1, lineStart = 0;
        while (true)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == '#'))
            {
                if (text[i] == '#')
                {
                    while (i < text.Length && text[i] != '\n') i++;
                    continue;
                }
                if (text[i] == '\n')
                {
                    line++;
                    lineStart = i + 1;
                }
                i++;
            }
            int col = i - lineStart + 1;
            if (i >= text.Length)
            {
                tokens.Add(new KirToken(KirTokenKind.End, "", line, col));
                return tokens;
            }
            char c = text[i];
            int start = i;
            KirToken Token(KirTokenKind kind, string t) => new(kind, t, line, col);
            if (c is '%' or '@' or '?')
            {
                i++;
                if (c == '@' && i < text.Length && text[i] == '"')
                {
                    tokens.Add(Token(KirTokenKind.Global, ReadString(text, ref i, line, col)));
                    continue;
                }
                while (i < text.Length && (c == '?' ? char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_' : KirSyntax.IsNameChar(text[i]))) i++;
                var name = text[(start + 1)..i];
                if (name.Length == 0 && c != '?')
                    throw new KirParseException(line, col, $"expected a name after '{c}'");
                tokens.Add(Token(c == '%' ? KirTokenKind.Value : c == '@' ? KirTokenKind.Global : KirTokenKind.Symbol, name));
            }
            else if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_')) i++;
                var word = text[start..i];
                tokens.Add(Token(word is "inf" or "nan" ? KirTokenKind.Float : KirTokenKind.Ident, word));
            }
            else if (char.IsAsciiDigit(c) || (c == '-' && i + 1 < text.Length && (char.IsAsciiDigit(text[i + 1]) || text.AsSpan(i + 1).StartsWith("inf"))))
            {
                tokens.Add(ReadNumber(text, ref i, line, col));
            }
            else if (c == '"')
            {
                tokens.Add(Token(KirTokenKind.String, ReadString(text, ref i, line, col)));
            }
            else if (c == '-' && i + 1 < text.Length && text[i + 1] == '>')
            {
                i += 2;
                tokens.Add(Token(KirTokenKind.Punct, "->"));
            }
            else if ("()[]{}<>,:=".Contains(c, StringComparison.Ordinal))
            {
                i++;
                tokens.Add(Token(KirTokenKind.Punct, c.ToString()));
            }
            else
            {
                throw new KirParseException(line, col, $"unexpected character '{c}'");
            }
        }
    }

    private static KirToken ReadNumber(string text, ref int i, int line, int col)
    {
        int start = i;
        if (text[i] == '-') i++;
        if (text.AsSpan(i).StartsWith("inf"))
        {
            i += 3;
            return new KirToken(KirTokenKind.Float, text[start..i], line, col);
        }
        bool isFloat = false;
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        if (i < text.Length && text[i] == '.')
        {
            isFloat = true;
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            isFloat = true;
            i++;
            if (i < text.Length && text[i] is '+' or '-') i++;
            if (i >= text.Length || !char.IsAsciiDigit(text[i]))
                throw new KirParseException(line, col, $"malformed number '{text[start..i]}': expected digits after the exponent");
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }
        return new KirToken(isFloat ? KirTokenKind.Float : KirTokenKind.Int, text[start..i], line, col);
    }

    private static string ReadString(string text, ref int i, int line, int col)
    {
        var sb = new StringBuilder();
        i++;
        while (i < text.Length && text[i] != '"')
        {
            if (text[i] == '\n') break;
            if (text[i] == '\\' && i + 1 < text.Length) i++;
            sb.Append(text[i++]);
        }
        if (i >= text.Length || text[i] != '"')
            throw new KirParseException(line, col, "unterminated string: expected a closing '\"' on the same line");
        i++;
        return sb.ToString();
    }
}
