package profile

import "strings"

// AppendQuery appends encoded parameters to the raw query of a party's
// endpoint, which goes out as configured: B2C keeps an endpoint's own query
// string as written (a Go query parser would reject or reorder it) and adds
// its parameters after it.
func AppendQuery(raw, encoded string) string {
	raw = strings.TrimRight(raw, "&")
	switch {
	case raw == "":
		return encoded
	case encoded == "":
		return raw
	}
	return raw + "&" + encoded
}
