package claims

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// placeholderRE matches the inside of a .NET composite-format item:
// index[,alignment][:formatString].
var placeholderRE = regexp.MustCompile(`^\s*(\d+)\s*(?:,\s*(-?\d{1,6})\s*)?(?::(.*))?$`)

// formatString renders format as .NET's String.Format does with string
// arguments, which is what FormatStringClaim, FormatStringMultipleClaims and
// CreateRandomString use: {0} is args[0], {0,8} and {0,-8} pad to a width,
// a :formatString is ignored (it means nothing for strings), and {{ and }} are
// literal braces. Unlike .NET, a brace group that is not an item, such as
// {RelyingPartyTenantId} in the starter pack, is copied as written rather than
// failing. An index beyond args is an error, as in .NET.
func formatString(format string, args ...string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(format); {
		c := format[i]
		switch {
		case c == '{' && strings.HasPrefix(format[i:], "{{"):
			b.WriteByte('{')
			i += 2
		case c == '}' && strings.HasPrefix(format[i:], "}}"):
			b.WriteByte('}')
			i += 2
		case c == '{':
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				b.WriteString(format[i:])
				return b.String(), nil
			}
			item := format[i+1 : i+end]
			m := placeholderRE.FindStringSubmatch(item)
			if m == nil {
				b.WriteString(format[i : i+end+1])
				i += end + 1
				continue
			}
			n, err := strconv.Atoi(m[1])
			if err != nil || n >= len(args) {
				return "", fmt.Errorf("format %q: item {%s} names argument %s, but there are %d", format, item, m[1], len(args))
			}
			b.WriteString(align(args[n], m[2]))
			i += end + 1
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), nil
}

// align pads s with spaces to the width of a .NET alignment: on the left when
// it is positive, on the right when negative.
func align(s, alignment string) string {
	w, err := strconv.Atoi(alignment)
	if err != nil || w == 0 {
		return s
	}
	left := w > 0
	if !left {
		w = -w
	}
	pad := w - utf8.RuneCountInString(s)
	if pad <= 0 {
		return s
	}
	if left {
		return strings.Repeat(" ", pad) + s
	}
	return s + strings.Repeat(" ", pad)
}
