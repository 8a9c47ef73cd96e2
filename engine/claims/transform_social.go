package claims

import (
	"bytes"
	"encoding/base64"
	"encoding/json"

	"github.com/iefconform/iefconform/engine/policy"
)

// alternativeSecurityID is the JSON form of one social identity, as B2C stores
// it in alternativeSecurityIds.
type alternativeSecurityID struct {
	Issuer       string `json:"issuer"`
	IssuerUserID string `json:"issuerUserId"`
}

// createAlternativeSecurityID sets alternativeSecurityId to
// {"issuer":<identityProvider>,"issuerUserId":<base64 of key>}: the issuer as
// given, the key's UTF-8 bytes in standard base64.
func createAlternativeSecurityID(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out := a.output("alternativeSecurityId")
	key, keyOK := a.input("key")
	idp, idpOK := a.input("identityProvider")
	if a.err != nil || !keyOK || !idpOK {
		return a.err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // B2C (Json.NET) leaves <, > and & as they are
	if err := enc.Encode(alternativeSecurityID{Issuer: idp, IssuerUserID: base64.StdEncoding.EncodeToString([]byte(key))}); err != nil {
		return err
	}
	bag.Set(out, string(bytes.TrimRight(buf.Bytes(), "\n")))
	return nil
}
