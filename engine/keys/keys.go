// Package keys is the policy key store: the B2C_1A_... containers that technical
// profiles reference through CryptographicKeys (secrets, RSA keys, certificates).
//
// A store is filled from a directory (one file per container: NAME.secret holds a
// secret, NAME.pem an RSA private key, optionally followed by its certificate),
// from a YAML or JSON file, or from Go. The token signing key is generated when
// absent (EnsureRSA).
package keys

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// Sentinel errors.
var (
	ErrNotFound  = errors.New("policy key not found")
	ErrWrongKind = errors.New("policy key is of another kind")
	// ErrWeakKey: an RSA key shorter than MinRSABits.
	ErrWeakKey = errors.New("RSA key too short")
)

// RSAKey is an RSA key container.
type RSAKey struct {
	// Container is the policy key name, e.g. B2C_1A_TokenSigningKeyContainer.
	Container string
	// KeyID is the JWK "kid": a thumbprint of the public key.
	KeyID       string
	Private     *rsa.PrivateKey
	Certificate *x509.Certificate
}

// Store holds policy keys. It is safe for concurrent use.
type Store struct {
	mu      sync.RWMutex
	secrets map[string][]byte
	rsa     map[string]*RSAKey

	// gen serializes EnsureRSA's key generation so that concurrent callers
	// generate one key, not one each.
	gen sync.Mutex
	// generate makes a new key for EnsureRSA; nil means a 2048-bit RSA key.
	// Tests replace it to count calls and avoid slow generation.
	generate func() (*rsa.PrivateKey, error)
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{secrets: map[string][]byte{}, rsa: map[string]*RSAKey{}}
}

// SetSecret stores a secret container, replacing any container of that name.
func (s *Store) SetSecret(container string, secret []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.rsa, container)
	s.secrets[container] = append([]byte(nil), secret...)
}

// SetRSA stores an RSA key container, replacing any container of that name.
func (s *Store) SetRSA(container string, key *rsa.PrivateKey, cert *x509.Certificate) (*RSAKey, error) {
	k, err := newRSAKey(container, key, cert)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.secrets, container)
	s.rsa[container] = k
	return k, nil
}

// MinRSABits is the shortest RSA key the store takes: a signing key an
// application would accept from B2C.
const MinRSABits = 2048

func newRSAKey(container string, key *rsa.PrivateKey, cert *x509.Certificate) (*RSAKey, error) {
	if key == nil {
		return nil, fmt.Errorf("set %s: want an RSA private key, got nil", container)
	}
	if bits := key.N.BitLen(); bits < MinRSABits {
		return nil, fmt.Errorf("set %s: %w: %d bits, want at least %d (B2C's policy keys are 2048 bits or more)", container, ErrWeakKey, bits, MinRSABits)
	}
	kid, err := Thumbprint(&key.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("set %s: %w", container, err)
	}
	return &RSAKey{Container: container, KeyID: kid, Private: key, Certificate: cert}, nil
}

// Secret returns a copy of a secret container.
func (s *Store) Secret(container string) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if v, ok := s.secrets[container]; ok {
		return append([]byte(nil), v...), nil
	}
	if _, ok := s.rsa[container]; ok {
		return nil, fmt.Errorf("secret %s: %w (it holds an RSA key)", container, ErrWrongKind)
	}
	return nil, fmt.Errorf("secret %s: %w", container, ErrNotFound)
}

// RSA returns an RSA key container.
func (s *Store) RSA(container string) (*RSAKey, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.rsaLocked(container)
}

// rsaLocked is RSA for a caller that holds mu.
func (s *Store) rsaLocked(container string) (*RSAKey, error) {
	if k, ok := s.rsa[container]; ok {
		return k, nil
	}
	if _, ok := s.secrets[container]; ok {
		return nil, fmt.Errorf("rsa key %s: %w (it holds a secret)", container, ErrWrongKind)
	}
	return nil, fmt.Errorf("rsa key %s: %w", container, ErrNotFound)
}

// EnsureRSA returns the RSA key container, generating a 2048-bit key when absent.
// Concurrent callers all get the same key.
func (s *Store) EnsureRSA(container string) (*RSAKey, error) {
	if k, err := s.RSA(container); !errors.Is(err, ErrNotFound) {
		return k, err
	}
	s.gen.Lock()
	defer s.gen.Unlock()
	// Another caller may have generated or set the key while we waited.
	if k, err := s.RSA(container); !errors.Is(err, ErrNotFound) {
		return k, err
	}
	generate := s.generate
	if generate == nil {
		generate = func() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }
	}
	key, err := generate()
	if err != nil {
		return nil, fmt.Errorf("generate %s: %w", container, err)
	}
	k, err := newRSAKey(container, key, nil)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// SetRSA and SetSecret do not take gen: keep what they stored meanwhile.
	if prev, err := s.rsaLocked(container); !errors.Is(err, ErrNotFound) {
		return prev, err
	}
	s.rsa[container] = k
	return k, nil
}

// Has reports whether the container exists, of any kind.
func (s *Store) Has(container string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, a := s.secrets[container]
	_, b := s.rsa[container]
	return a || b
}

// Containers lists the container names, sorted.
func (s *Store) Containers() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []string
	for k := range s.secrets {
		out = append(out, k)
	}
	for k := range s.rsa {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Thumbprint is the key id used for a public key: base64url of the first 16
// bytes of the SHA-256 of its PKIX encoding.
func Thumbprint(pub *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("thumbprint: %w", err)
	}
	sum := sha256.Sum256(der)
	return base64.RawURLEncoding.EncodeToString(sum[:16]), nil
}

// ParsePEM reads an RSA private key (PKCS#1 or PKCS#8) and an optional
// certificate. With a chain, the first certificate is the key's own and must
// match the private key; the others are ignored.
func ParsePEM(data []byte) (*rsa.PrivateKey, *x509.Certificate, error) {
	var key *rsa.PrivateKey
	var cert *x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		var k *rsa.PrivateKey
		switch b.Type {
		case "RSA PRIVATE KEY":
			var err error
			if k, err = x509.ParsePKCS1PrivateKey(b.Bytes); err != nil {
				return nil, nil, fmt.Errorf("parse pkcs1 key: %w", err)
			}
		case "PRIVATE KEY":
			pk, err := x509.ParsePKCS8PrivateKey(b.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("parse pkcs8 key: %w", err)
			}
			rk, ok := pk.(*rsa.PrivateKey)
			if !ok {
				return nil, nil, fmt.Errorf("parse pkcs8 key: want an RSA key, got %T", pk)
			}
			k = rk
		case "ENCRYPTED PRIVATE KEY":
			return nil, nil, errors.New("parse key: want an unencrypted RSA private key, got an encrypted one")
		case "CERTIFICATE":
			if cert != nil {
				continue // the rest of a chain
			}
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, nil, fmt.Errorf("parse certificate: %w", err)
			}
			cert = c
		}
		if k != nil {
			if key != nil {
				return nil, nil, errors.New("parse key: want one RSA private key, got several")
			}
			key = k
		}
	}
	if key == nil {
		return nil, nil, errors.New("no RSA private key in PEM data")
	}
	if cert != nil {
		pub, ok := cert.PublicKey.(*rsa.PublicKey)
		if !ok || !pub.Equal(&key.PublicKey) {
			return nil, nil, errors.New("parse certificate: its public key does not match the private key")
		}
	}
	return key, cert, nil
}

// ParsePEMFile reads the file at path and parses it as ParsePEM does; a parse
// error names the file.
func ParsePEMFile(path string) (*rsa.PrivateKey, *x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	key, cert, err := ParsePEM(data)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, cert, nil
}

// EncodePEM encodes an RSA private key as PKCS#8 PEM.
func EncodePEM(key *rsa.PrivateKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("encode key: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
}

// LoadDir fills a store from a directory: NAME.secret (or NAME.txt) files hold a
// secret (a trailing newline is dropped), NAME.pem files an RSA key. Other files
// are ignored. Every bad file is reported.
func LoadDir(dir string) (*Store, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load key store: %w", err)
	}
	s := NewStore()
	var errs []error
	from := map[string]string{} // container -> file that defined it
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		name := e.Name()
		ext := filepath.Ext(name)
		container := strings.TrimSuffix(name, ext)
		path := filepath.Join(dir, name)
		switch ext {
		case ".secret", ".txt", ".pem":
			if container == "" {
				errs = append(errs, fmt.Errorf("%s: want NAME%s, got no container name", path, ext))
				continue
			}
			if prev, dup := from[container]; dup {
				errs = append(errs, fmt.Errorf("%s: container %s is already defined by %s", path, container, prev))
				continue
			}
			from[container] = path
		}
		switch ext {
		case ".secret", ".txt":
			data, err := os.ReadFile(path)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			s.SetSecret(container, []byte(strings.TrimRight(string(data), "\r\n")))
		case ".pem":
			key, cert, err := ParsePEMFile(path)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if _, err := s.SetRSA(container, key, cert); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("load key store %s: %w", dir, err)
	}
	return s, nil
}

// FileConfig is the YAML/JSON key store format.
type FileConfig struct {
	Keys []KeyConfig `json:"keys" yaml:"keys"`
}

// KeyConfig is one container: exactly one of Secret, PEM or PEMFile.
type KeyConfig struct {
	ID      string `json:"id" yaml:"id"`
	Secret  string `json:"secret,omitempty" yaml:"secret,omitempty"`
	PEM     string `json:"pem,omitempty" yaml:"pem,omitempty"`
	PEMFile string `json:"pemFile,omitempty" yaml:"pemFile,omitempty"`
}

// Validate reports every problem of the configuration at once.
func (c FileConfig) Validate() error {
	var errs []error
	seen := map[string]bool{}
	for i, k := range c.Keys {
		where := fmt.Sprintf("keys[%d]", i)
		if k.ID != "" {
			where += " (" + k.ID + ")"
		}
		if k.ID == "" {
			errs = append(errs, fmt.Errorf("keys[%d]: id is empty", i))
		} else if seen[k.ID] {
			errs = append(errs, fmt.Errorf("keys[%d]: duplicate id %s", i, k.ID))
		}
		seen[k.ID] = true
		n := 0
		for _, v := range []string{k.Secret, k.PEM, k.PEMFile} {
			if v != "" {
				n++
			}
		}
		if n != 1 {
			errs = append(errs, fmt.Errorf("%s: want exactly one of secret, pem, pemFile, got %d", where, n))
		}
	}
	return errors.Join(errs...)
}

// LoadFile fills a store from a YAML or JSON file (YAML is a superset of JSON).
// pemFile paths are relative to the file.
func LoadFile(path string) (*Store, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("load key store: %w", err)
	}
	var cfg FileConfig
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		return nil, fmt.Errorf("load key store %s: %w", path, err)
	}
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("load key store %s: %w", path, err)
	}
	s := NewStore()
	var errs []error
	for _, k := range cfg.Keys {
		if k.Secret != "" {
			s.SetSecret(k.ID, []byte(k.Secret))
			continue
		}
		data := []byte(k.PEM)
		if k.PEMFile != "" {
			p := k.PEMFile
			if !filepath.IsAbs(p) {
				p = filepath.Join(filepath.Dir(path), p)
			}
			if data, err = os.ReadFile(p); err != nil {
				errs = append(errs, fmt.Errorf("key %s: %w", k.ID, err))
				continue
			}
		}
		key, cert, err := ParsePEM(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("key %s: %w", k.ID, err))
			continue
		}
		if _, err := s.SetRSA(k.ID, key, cert); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("load key store %s: %w", path, err)
	}
	return s, nil
}

// Load fills a store from a directory or a YAML/JSON file.
func Load(path string) (*Store, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("load key store: %w", err)
	}
	if fi.IsDir() {
		return LoadDir(path)
	}
	return LoadFile(path)
}
