package claims

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"

	"github.com/iefconform/iefconform/engine/policy"
)

// General claims transformations, as B2C's general-transformations article
// describes them (CopyClaim and CreateStringClaim live in transform.go).

// ErrNoPolicyKeys is returned by a transformation that reads a policy key
// (Hash) when its Env has no Secret.
var ErrNoPolicyKeys = errors.New("claims transformation needs policy keys, but none were given")

// doesClaimExist sets the boolean outputClaim to whether inputClaim, of any
// type, is in the bag with a value: an empty string or collection counts as
// absent (UJ-02). The output is always set.
func doesClaimExist(ct *policy.ClaimsTransformation, bag *Bag, _ Env) error {
	a := newArgs(ct, bag)
	out, in := a.output("outputClaim"), a.claim("inputClaim")
	if a.err != nil {
		return a.err
	}
	bag.Set(out, strconv.FormatBool(bag.Has(in)))
	return nil
}

// hash sets the hash output claim to the SHA-256 hash of plaintext followed by
// salt, keyed with the policy key named by randomizerSecret: [INF] HMAC-SHA256
// with the key's secret bytes over the UTF-8 of plaintext+salt, in standard
// base64 (the article names SHA-256, a salt and a secret, and shows a 44
// character base64 value, but not how the three are combined). An absent
// plaintext or salt leaves the output unset.
func hash(ct *policy.ClaimsTransformation, bag *Bag, env Env) error {
	a := newArgs(ct, bag)
	out, container := a.output("hash"), a.param("randomizerSecret")
	plaintext, okText := a.input("plaintext")
	salt, okSalt := a.input("salt")
	if a.err != nil {
		return a.err
	}
	if env.Secret == nil {
		return fmt.Errorf("input parameter randomizerSecret %s: %w", container, ErrNoPolicyKeys)
	}
	key, err := env.Secret(container)
	if err != nil {
		return fmt.Errorf("input parameter randomizerSecret: %w", err)
	}
	if !okText || !okSalt {
		return nil
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(plaintext + salt))
	bag.Set(out, base64.StdEncoding.EncodeToString(m.Sum(nil)))
	return nil
}
