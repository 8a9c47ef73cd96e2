package restful

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/iefconform/iefconform/engine/claims"
	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/profile"
)

// placeholderRE matches a {name} placeholder of SendClaimsIn=Url.
var placeholderRE = regexp.MustCompile(`\{[^{}]*\}`)

// auth is what AuthenticationType adds to a request.
type auth struct {
	// header and value are one header to set: Authorization or the ApiKeyHeader.
	header, value string
	// cert is the client certificate for mutual TLS.
	cert *keys.RSAKey
}

// spec is a request, built once and sent once per attempt.
type spec struct {
	method      string
	url         *url.URL
	contentType string
	body        []byte
	header      http.Header
}

func (s *spec) new(ctx context.Context) (*http.Request, error) {
	var body io.Reader
	if s.body != nil {
		body = bytes.NewReader(s.body)
	}
	req, err := http.NewRequestWithContext(ctx, s.method, s.url.String(), body)
	if err != nil {
		return nil, err
	}
	for k, vs := range s.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if s.contentType != "" {
		req.Header.Set("Content-Type", s.contentType)
	}
	return req, nil
}

// authenticate reads the keys (or the bearer claim) of AuthenticationType.
func (p *Profile) authenticate(env *profile.Env, ins []input) (auth, error) {
	switch p.cfg.AuthenticationType {
	case AuthBasic:
		user, err := p.secret(env, p.cfg.BasicUsernameContainer)
		if err != nil {
			return auth{}, err
		}
		pass, err := p.secret(env, p.cfg.BasicPasswordContainer)
		if err != nil {
			return auth{}, err
		}
		return auth{header: "Authorization", value: "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))}, nil
	case AuthBearer:
		if c := p.cfg.UseClaimAsBearerToken; c != "" {
			return p.bearerClaim(env, ins, c)
		}
		token, err := p.secret(env, p.cfg.BearerTokenContainer)
		if err != nil {
			return auth{}, err
		}
		return auth{header: "Authorization", value: "Bearer " + token}, nil
	case AuthAPIKeyHeader:
		v, err := p.secret(env, p.cfg.APIKeyContainer)
		if err != nil {
			return auth{}, err
		}
		return auth{header: p.cfg.APIKeyHeader, value: v}, nil
	case AuthClientCertificate:
		cert, err := p.certificate(env)
		if err != nil {
			return auth{}, err
		}
		return auth{cert: cert}, nil
	}
	return auth{}, nil
}

// bearerClaim takes the bearer token from the input claim c: AADB2C90194 when
// it has no value, AADB2C90195 when its value is empty (REST-06). No request is
// made then.
func (p *Profile) bearerClaim(env *profile.Env, ins []input, c string) (auth, error) {
	for _, in := range ins {
		if in.claimType != c {
			continue
		}
		token := claims.String(in.param.Value)
		if token == "" {
			return auth{}, profile.Errorf(profile.CodeServerError, ErrBearerClaim, "AADB2C90195: Claim '%s' specified for the bearer token is null or empty.", c)
		}
		return auth{header: "Authorization", value: "Bearer " + token}, nil
	}
	if _, ok := env.Claims.Value(c); ok {
		return auth{}, profile.Errorf(profile.CodeServerError, ErrBearerClaim, "AADB2C90195: Claim '%s' specified for the bearer token is null or empty.", c)
	}
	return auth{}, profile.Errorf(profile.CodeServerError, ErrBearerClaim,
		"AADB2C90194: Claim '%s' specified for the bearer token is not present in the available claims. Available claims '%s'.", c, availableClaims(ins))
}

// keyError is B2C's AADB2C90130 for a policy key container the store lacks.
func (p *Profile) keyError(env *profile.Env, container string, err error) error {
	return profile.Errorf(profile.CodeServerError, fmt.Errorf("technical profile %s: %w", p.cfg.ID, err),
		"AADB2C90130: The key container in tenant '%s' with storageReferenceId '%s' does not exist.", env.Tenant, container)
}

func (p *Profile) secret(env *profile.Env, container string) (string, error) {
	if env.Keys == nil {
		return "", p.keyError(env, container, ErrNoKeyStore)
	}
	v, err := env.Keys.Secret(container)
	if err != nil {
		return "", p.keyError(env, container, err)
	}
	return string(v), nil
}

// certificate returns the ClientCertificate container: an RSA key with a
// certificate that is valid now (AADB2C90220 otherwise).
func (p *Profile) certificate(env *profile.Env) (*keys.RSAKey, error) {
	c := p.cfg.ClientCertificateContainer
	if env.Keys == nil {
		return nil, p.keyError(env, c, ErrNoKeyStore)
	}
	k, err := env.Keys.RSA(c)
	if errors.Is(err, keys.ErrNotFound) {
		return nil, p.keyError(env, c, err)
	}
	noCert := func(cause error) error {
		return profile.Errorf(profile.CodeServerError, fmt.Errorf("technical profile %s: %w", p.cfg.ID, cause),
			"AADB2C90220: The key container in tenant '%s' with storage identifier '%s' exists but does not contain a valid certificate. The certificate might be expired or your certificate might become active in the future (nbf).", env.Tenant, c)
	}
	if err != nil {
		return nil, noCert(err)
	}
	if k.Certificate == nil {
		return nil, noCert(ErrNoCertificate)
	}
	now := time.Now()
	if env.Now != nil {
		now = env.Now()
	}
	if now.Before(k.Certificate.NotBefore) || now.After(k.Certificate.NotAfter) {
		return nil, noCert(fmt.Errorf("%w: valid from %s to %s", ErrNoCertificate, k.Certificate.NotBefore.UTC().Format(time.RFC3339), k.Certificate.NotAfter.UTC().Format(time.RFC3339)))
	}
	return k, nil
}

// request builds the request SendClaimsIn describes (spec §4.1, REST-01..03).
func (p *Profile) request(ins []input, a auth) (*spec, error) {
	s := &spec{header: http.Header{}}
	raw := p.cfg.ServiceURL
	switch p.cfg.SendClaimsIn {
	case InBody:
		s.method, s.contentType = http.MethodPost, "application/json"
		if c := p.cfg.ClaimUsedForRequestPayload; c != "" {
			s.body = []byte{}
			for _, in := range ins {
				if in.claimType == c {
					s.body = []byte(claims.String(in.param.Value))
				}
			}
		} else {
			body, err := jsonObject(ins)
			if err != nil {
				return nil, err
			}
			s.body = body
		}
	case InForm:
		s.method, s.contentType = http.MethodPost, "application/x-www-form-urlencoded"
		s.body = []byte(encodePairs(ins))
	case InHeader:
		s.method = http.MethodGet
		for _, in := range ins {
			v := claims.String(in.param.Value)
			if !validHeaderValue(v) {
				return nil, fmt.Errorf("the value of input claim %s is not a valid header value", in.claimType)
			}
			s.header.Set(in.param.Name, v)
		}
	case InQueryString:
		s.method = http.MethodGet
	case InURL:
		s.method = http.MethodGet
		raw = fillPlaceholders(raw, ins)
	default:
		return nil, fmt.Errorf("SendClaimsIn %q is not supported", p.cfg.SendClaimsIn)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("service URL: %w", err)
	}
	if p.cfg.SendClaimsIn == InQueryString {
		u.RawQuery = profile.AppendQuery(u.RawQuery, encodePairs(ins))
	}
	s.url = u
	if a.header != "" {
		if !validHeaderValue(a.value) {
			return nil, fmt.Errorf("the %s credential is not a valid header value", p.cfg.AuthenticationType)
		}
		s.header.Set(a.header, a.value)
	}
	return s, nil
}

// jsonObject writes the input claims as one JSON object keyed by partner name,
// in input-claim order: strings, and stringCollections as arrays. A partner name
// given twice keeps its first place and its last value.
func jsonObject(ins []input) ([]byte, error) {
	var names []string
	values := map[string]any{}
	for _, in := range ins {
		if _, dup := values[in.param.Name]; !dup {
			names = append(names, in.param.Name)
		}
		if list, ok := in.param.Value.([]string); ok {
			values[in.param.Name] = list
		} else {
			values[in.param.Name] = claims.String(in.param.Value)
		}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	buf.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			buf.WriteByte(',')
		}
		if err := enc.Encode(n); err != nil {
			return nil, fmt.Errorf("encode claim name %q: %w", n, err)
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
		buf.WriteByte(':')
		if err := enc.Encode(values[n]); err != nil {
			return nil, fmt.Errorf("encode claim %q: %w", n, err)
		}
		buf.Truncate(buf.Len() - 1)
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

// encodePairs form-encodes the input claims in input-claim order; a
// stringCollection is joined with commas.
func encodePairs(ins []input) string {
	var b strings.Builder
	for i, in := range ins {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(url.QueryEscape(in.param.Name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(claims.String(in.param.Value)))
	}
	return b.String()
}

// fillPlaceholders replaces each {partnerName} of ServiceUrl with the claim's
// value: path-escaped in the path (a space is %20, a slash %2F), query-escaped
// in the query (a space is +). Placeholders of claims without a value stay as
// written.
func fillPlaceholders(raw string, ins []input) string {
	authority, rest, _ := splitAuthority(raw)
	path, query, hasQuery := strings.Cut(rest, "?")
	for _, in := range ins {
		ph := "{" + in.param.Name + "}"
		v := claims.String(in.param.Value)
		path = strings.ReplaceAll(path, ph, url.PathEscape(v))
		query = strings.ReplaceAll(query, ph, url.QueryEscape(v))
	}
	if hasQuery {
		return authority + path + "?" + query
	}
	return authority + path
}

// validHeaderName reports whether name is an RFC 9110 token.
func validHeaderName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// validHeaderValue reports whether v holds no control character but tab: no
// line break can smuggle another header in.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
