// Package jwks is the one place the mocks read public keys: JSON Web Keys and
// Key Sets (RFC 7517, RSA and EC), PEM public keys and certificates, RFC 7638
// thumbprints, and a cache of the JWKS documents of the mocks that verify
// tokens signed by the emulator (the relying party and the REST API's custom
// claims mode): RSA signing keys by kid, fetched again when a kid is unknown
// (the keys may have rotated).
package jwks

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
)

// maxBody bounds a JWKS document.
const maxBody = 1 << 20

// Cache holds the RSA keys of each JWKS URL. It is safe for concurrent use.
type Cache struct {
	client *http.Client
	mu     sync.Mutex
	sets   map[string]keySet
}

// keySet maps kid to its key, or to why the key could not be read.
type keySet map[string]jwk

type jwk struct {
	key *rsa.PublicKey
	err error
}

// New returns an empty cache that fetches with a copy of client (nil:
// http.DefaultClient's settings) that follows no redirects: a JWKS URL is
// fetched from where it points and nowhere else, so a redirect cannot send
// the mock's request to another host (SSRF).
func New(client *http.Client) *Cache {
	c := http.Client{}
	if client != nil {
		c = *client
	}
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &Cache{client: &c, sets: map[string]keySet{}}
}

// Key returns the key kid of the JWKS at jwksURL, fetching the document when
// it is not cached and again once when kid is unknown.
func (c *Cache) Key(ctx context.Context, jwksURL, kid string) (*rsa.PublicKey, error) {
	c.mu.Lock()
	set, cached := c.sets[jwksURL]
	c.mu.Unlock()
	if cached {
		if k, ok := set[kid]; ok {
			return k.get(kid)
		}
	}
	set, err := c.fetch(ctx, jwksURL)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.sets[jwksURL] = set
	c.mu.Unlock()
	if k, ok := set[kid]; ok {
		return k.get(kid)
	}
	return nil, fmt.Errorf("unknown kid %q: the JWKS at %s has no such key (it has %d)", kid, jwksURL, len(set))
}

func (k jwk) get(kid string) (*rsa.PublicKey, error) {
	if k.err != nil {
		return nil, fmt.Errorf("key %q: %w", kid, k.err)
	}
	return k.key, nil
}

// fetch downloads and parses the JWKS at jwksURL. Its errors say what went
// wrong (the status, not a JWKS document) and never quote the document: they
// reach the mock's callers, who must not read through the mock what the URL
// answers.
func (c *Cache) fetch(ctx context.Context, jwksURL string) (keySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, jwksURL, nil)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch jwks: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("fetch jwks %s: %w", jwksURL, err)
	}
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		return nil, fmt.Errorf("fetch jwks %s: want status 200, got %d (redirects are not followed)", jwksURL, resp.StatusCode)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetch jwks %s: want status 200, got %d", jwksURL, resp.StatusCode)
	}
	var doc Set
	if err := json.Unmarshal(body, &doc); err != nil {
		return nil, fmt.Errorf("fetch jwks %s: not a JWKS document (want {\"keys\":[...]})", jwksURL)
	}
	set := keySet{}
	for _, k := range doc.Keys {
		if k.Kid == "" || k.Use == "enc" {
			continue
		}
		if k.Kty != "RSA" {
			set[k.Kid] = jwk{err: errors.New("want kty RSA")}
			continue
		}
		pub, err := k.PublicKey()
		if err != nil { // PublicKey's errors quote values of the document
			err = errors.New("not a usable RSA key (want base64url n and e, a modulus of at least 1024 bits, e >= 3)")
		}
		key, _ := pub.(*rsa.PublicKey)
		set[k.Kid] = jwk{key: key, err: err}
	}
	return set, nil
}
