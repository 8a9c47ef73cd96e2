package keys

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Thumbprints of the testdata keys, computed independently with
// openssl pkey -pubout -outform DER | openssl dgst -sha256 -binary | head -c 16 | base64url.
const (
	thumbPKCS8 = "-z7HP8rp7W5LkwTSW0DLKw"
	thumbPKCS1 = "0l2URGn39t5TpK95wjupow"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func testKey(t testing.TB, name string) *rsa.PrivateKey {
	t.Helper()
	key, _, err := ParsePEMFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// certFor makes a self-signed certificate for key, for chains and mismatches.
func certFor(t testing.TB, key *rsa.PrivateKey, cn string) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: cn},
		NotBefore:    time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:     time.Date(2124, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// wantMentions checks that the error of what mentions each of wantIn.
func wantMentions(t testing.TB, what string, err error, wantIn []string) {
	t.Helper()
	for _, w := range wantIn {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s error %q does not contain %q", what, err, w)
		}
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestSecret(t *testing.T) {
	s := NewStore()
	in := []byte("s3cret")
	s.SetSecret("B2C_1A_FacebookSecret", in)
	in[0] = 'X' // the store keeps its own copy

	got, err := s.Secret("B2C_1A_FacebookSecret")
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "s3cret" {
		t.Fatalf("Secret() = %q, want s3cret", got)
	}
	got[0] = 'Y' // and hands out copies
	if again, _ := s.Secret("B2C_1A_FacebookSecret"); string(again) != "s3cret" {
		t.Errorf("Secret() after changing a returned copy = %q, want s3cret", again)
	}

	s.SetSecret("B2C_1A_FacebookSecret", []byte("rotated"))
	if got, _ := s.Secret("B2C_1A_FacebookSecret"); string(got) != "rotated" {
		t.Errorf("Secret() after a second SetSecret = %q, want rotated", got)
	}
}

func TestSetRSA(t *testing.T) {
	s := NewStore()
	key, cert, err := ParsePEM(cat(readTestdata(t, "key_pkcs8.pem"), readTestdata(t, "cert.pem")))
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.SetRSA("B2C_1A_TokenSigningKeyContainer", key, cert)
	if err != nil {
		t.Fatal(err)
	}
	want := &RSAKey{Container: "B2C_1A_TokenSigningKeyContainer", KeyID: thumbPKCS8, Private: key, Certificate: cert}
	if !reflect.DeepEqual(k, want) {
		t.Errorf("SetRSA() = %+v, want %+v", k, want)
	}
	got, err := s.RSA("B2C_1A_TokenSigningKeyContainer")
	if err != nil {
		t.Fatal(err)
	}
	if got != k {
		t.Errorf("RSA() = %p, want the key SetRSA returned (%p)", got, k)
	}

	if _, err := s.SetRSA("B2C_1A_Nil", nil, nil); err == nil {
		t.Error("SetRSA(nil key) succeeded, want an error")
	}
	if s.Has("B2C_1A_Nil") {
		t.Error("SetRSA(nil key) stored a container")
	}
}

func TestLookupErrors(t *testing.T) {
	s := NewStore()
	s.SetSecret("B2C_1A_Secret", []byte("x"))
	if _, err := s.SetRSA("B2C_1A_Key", testKey(t, "key_pkcs1.pem"), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		get       func(string) error
		container string
		wantErr   error
	}{
		{"secret found", func(c string) error { _, err := s.Secret(c); return err }, "B2C_1A_Secret", nil},
		{"rsa found", func(c string) error { _, err := s.RSA(c); return err }, "B2C_1A_Key", nil},
		{"secret of an RSA container", func(c string) error { _, err := s.Secret(c); return err }, "B2C_1A_Key", ErrWrongKind},
		{"rsa of a secret container", func(c string) error { _, err := s.RSA(c); return err }, "B2C_1A_Secret", ErrWrongKind},
		{"secret not found", func(c string) error { _, err := s.Secret(c); return err }, "B2C_1A_Missing", ErrNotFound},
		{"rsa not found", func(c string) error { _, err := s.RSA(c); return err }, "B2C_1A_Missing", ErrNotFound},
		{"ensure rsa of a secret container", func(c string) error { _, err := s.EnsureRSA(c); return err }, "B2C_1A_Secret", ErrWrongKind},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.get(tt.container)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("error = %v, want %v", err, tt.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), tt.container) {
				t.Errorf("error %q does not name the container %s", err, tt.container)
			}
			if errors.Is(err, ErrNotFound) && errors.Is(err, ErrWrongKind) {
				t.Errorf("error %q is both not found and wrong kind", err)
			}
		})
	}
}

func TestSetReplacesOtherKind(t *testing.T) {
	s := NewStore()
	s.SetSecret("B2C_1A_X", []byte("x"))
	if _, err := s.SetRSA("B2C_1A_X", testKey(t, "key_pkcs1.pem"), nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RSA("B2C_1A_X"); err != nil {
		t.Errorf("RSA() after SetRSA over a secret: %v", err)
	}
	if _, err := s.Secret("B2C_1A_X"); !errors.Is(err, ErrWrongKind) {
		t.Errorf("Secret() after SetRSA over a secret: error %v, want ErrWrongKind", err)
	}
	if got := s.Containers(); !reflect.DeepEqual(got, []string{"B2C_1A_X"}) {
		t.Errorf("Containers() = %q, want one B2C_1A_X", got)
	}

	s.SetSecret("B2C_1A_X", []byte("y"))
	if _, err := s.RSA("B2C_1A_X"); !errors.Is(err, ErrWrongKind) {
		t.Errorf("RSA() after SetSecret over a key: error %v, want ErrWrongKind", err)
	}
}

func TestHasAndContainers(t *testing.T) {
	s := NewStore()
	if got := s.Containers(); len(got) != 0 {
		t.Errorf("empty store Containers() = %q", got)
	}
	s.SetSecret("B2C_1A_b", []byte("x"))
	s.SetSecret("B2C_1A_a", []byte("x"))
	if _, err := s.SetRSA("B2C_1A_c", testKey(t, "key_pkcs1.pem"), nil); err != nil {
		t.Fatal(err)
	}
	if got, want := s.Containers(), []string{"B2C_1A_a", "B2C_1A_b", "B2C_1A_c"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Containers() = %q, want %q", got, want)
	}
	for _, tt := range []struct {
		container string
		want      bool
	}{{"B2C_1A_a", true}, {"B2C_1A_c", true}, {"B2C_1A_d", false}} {
		t.Run(tt.container, func(t *testing.T) {
			if got := s.Has(tt.container); got != tt.want {
				t.Errorf("Has(%s) = %v, want %v", tt.container, got, tt.want)
			}
		})
	}
}

// countingGenerator returns a fresh copy of a fixed test key on each call and
// counts the calls, so tests need not generate RSA keys.
func countingGenerator(t testing.TB, calls *atomic.Int32) func() (*rsa.PrivateKey, error) {
	pemData := readTestdata(t, "key_pkcs8.pem")
	return func() (*rsa.PrivateKey, error) {
		calls.Add(1)
		k, _, err := ParsePEM(pemData)
		return k, err
	}
}

func TestEnsureRSA(t *testing.T) {
	var calls atomic.Int32
	s := NewStore()
	s.generate = countingGenerator(t, &calls)

	first, err := s.EnsureRSA("B2C_1A_TokenSigningKeyContainer")
	if err != nil {
		t.Fatal(err)
	}
	second, err := s.EnsureRSA("B2C_1A_TokenSigningKeyContainer")
	if err != nil {
		t.Fatal(err)
	}
	if first != second {
		t.Errorf("EnsureRSA() twice returned different keys: %s and %s", first.KeyID, second.KeyID)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("generated %d keys, want 1", n)
	}
	if first.Container != "B2C_1A_TokenSigningKeyContainer" || first.KeyID != thumbPKCS8 || first.Certificate != nil {
		t.Errorf("EnsureRSA() = %+v, want container B2C_1A_TokenSigningKeyContainer, kid %s, no certificate", first, thumbPKCS8)
	}
	if got, _ := s.RSA("B2C_1A_TokenSigningKeyContainer"); got != first {
		t.Error("RSA() after EnsureRSA returned another key")
	}

	// An existing key is returned, not replaced.
	existing, err := s.SetRSA("B2C_1A_Existing", testKey(t, "key_pkcs1.pem"), nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.EnsureRSA("B2C_1A_Existing"); err != nil || got != existing {
		t.Errorf("EnsureRSA(existing) = %v, %v; want the stored key", got, err)
	}
	if n := calls.Load(); n != 1 {
		t.Errorf("generated %d keys, want 1", n)
	}
}

func TestEnsureRSAGenerateError(t *testing.T) {
	boom := errors.New("no entropy")
	s := NewStore()
	s.generate = func() (*rsa.PrivateKey, error) { return nil, boom }
	if _, err := s.EnsureRSA("B2C_1A_K"); !errors.Is(err, boom) || !strings.Contains(err.Error(), "B2C_1A_K") {
		t.Errorf("EnsureRSA() error = %v, want one wrapping %v and naming the container", err, boom)
	}
	if s.Has("B2C_1A_K") {
		t.Error("a failed EnsureRSA stored a container")
	}
}

func TestEnsureRSAConcurrent(t *testing.T) {
	var calls atomic.Int32
	s := NewStore()
	s.generate = countingGenerator(t, &calls)

	const n = 64
	got := make([]*RSAKey, n)
	errs := make([]error, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			got[i], errs[i] = s.EnsureRSA("B2C_1A_TokenSigningKeyContainer")
		}()
	}
	close(start)
	wg.Wait()

	for i := range n {
		if errs[i] != nil {
			t.Fatalf("EnsureRSA() #%d: %v", i, errs[i])
		}
		if got[i] != got[0] {
			t.Fatalf("EnsureRSA() #%d returned another key than #0", i)
		}
	}
	if stored, _ := s.RSA("B2C_1A_TokenSigningKeyContainer"); stored != got[0] {
		t.Error("the stored key is not the one the callers got")
	}
	if c := calls.Load(); c != 1 {
		t.Errorf("generated %d keys, want 1", c)
	}
}

func TestEnsureRSARealKey(t *testing.T) {
	// The one test that generates a real key: the default generator makes 2048-bit keys.
	s := NewStore()
	k, err := s.EnsureRSA("B2C_1A_TokenSigningKeyContainer")
	if err != nil {
		t.Fatal(err)
	}
	if bits := k.Private.N.BitLen(); bits != 2048 {
		t.Errorf("generated a %d-bit key, want 2048", bits)
	}
	if err := k.Private.Validate(); err != nil {
		t.Errorf("generated key does not validate: %v", err)
	}
	want, err := Thumbprint(&k.Private.PublicKey)
	if err != nil || k.KeyID != want {
		t.Errorf("KeyID = %q, want its thumbprint %q (%v)", k.KeyID, want, err)
	}
}

func TestThumbprint(t *testing.T) {
	tests := []struct {
		name string
		file string
		want string
	}{
		{"pkcs8 key", "key_pkcs8.pem", thumbPKCS8},
		{"pkcs1 key", "key_pkcs1.pem", thumbPKCS1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i := range 2 { // stable across parses and calls
				got, err := Thumbprint(&testKey(t, tt.file).PublicKey)
				if err != nil {
					t.Fatal(err)
				}
				if got != tt.want {
					t.Errorf("Thumbprint() call %d = %q, want %q", i, got, tt.want)
				}
			}
		})
	}
}

func TestParsePEM(t *testing.T) {
	pkcs8 := readTestdata(t, "key_pkcs8.pem")
	pkcs1 := readTestdata(t, "key_pkcs1.pem")
	cert := readTestdata(t, "cert.pem")
	otherCert := certFor(t, testKey(t, "key_pkcs1.pem"), "other")
	encrypted := pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte{1, 2, 3}})
	corruptDER := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: []byte("not DER")})
	corruptCert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")})

	tests := []struct {
		name      string
		data      []byte
		wantKID   string
		wantCert  string // certificate common name, "" for none
		wantErr   bool
		errSubstr string
	}{
		{name: "PKCS#8", data: pkcs8, wantKID: thumbPKCS8},
		{name: "PKCS#1", data: pkcs1, wantKID: thumbPKCS1},
		{name: "PKCS#8 with its certificate", data: cat(pkcs8, cert), wantKID: thumbPKCS8, wantCert: "iefconform test"},
		{name: "certificate before the key", data: cat(cert, pkcs8), wantKID: thumbPKCS8, wantCert: "iefconform test"},
		{name: "chain: the first certificate is the key's", data: cat(pkcs8, cert, otherCert), wantKID: thumbPKCS8, wantCert: "iefconform test"},
		{name: "text around the blocks is ignored", data: cat([]byte("Bag Attributes\n"), pkcs1, []byte("trailer\n")), wantKID: thumbPKCS1},
		{name: "certificate of another key", data: cat(pkcs8, otherCert), wantErr: true, errSubstr: "does not match"},
		{name: "two keys", data: cat(pkcs8, pkcs1), wantErr: true, errSubstr: "several"},
		{name: "certificate only", data: cert, wantErr: true, errSubstr: "no RSA private key"},
		{name: "EC key", data: readTestdata(t, "ec_pkcs8.pem"), wantErr: true, errSubstr: "want an RSA key"},
		{name: "encrypted key", data: encrypted, wantErr: true, errSubstr: "encrypted"},
		{name: "corrupt key DER", data: corruptDER, wantErr: true, errSubstr: "pkcs1"},
		{name: "corrupt certificate DER", data: cat(pkcs8, corruptCert), wantErr: true, errSubstr: "certificate"},
		{name: "garbage", data: []byte("this is not PEM"), wantErr: true, errSubstr: "no RSA private key"},
		{name: "truncated PEM", data: pkcs8[:len(pkcs8)/2], wantErr: true, errSubstr: "no RSA private key"},
		{name: "empty", data: nil, wantErr: true, errSubstr: "no RSA private key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, c, err := ParsePEM(tt.data)
			if tt.wantErr {
				if err == nil || !strings.Contains(err.Error(), tt.errSubstr) {
					t.Fatalf("ParsePEM() error = %v, want one containing %q", err, tt.errSubstr)
				}
				if key != nil || c != nil {
					t.Errorf("ParsePEM() returned a key or certificate with an error")
				}
				return
			}
			if err != nil {
				t.Fatalf("ParsePEM(): %v", err)
			}
			if kid, _ := Thumbprint(&key.PublicKey); kid != tt.wantKID {
				t.Errorf("key thumbprint = %q, want %q", kid, tt.wantKID)
			}
			var cn string
			if c != nil {
				cn = c.Subject.CommonName
			}
			if cn != tt.wantCert {
				t.Errorf("certificate CN = %q, want %q", cn, tt.wantCert)
			}
		})
	}
}

func TestParsePEMFile(t *testing.T) {
	want, _, err := ParsePEM(readTestdata(t, "key_pkcs8.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if key, _, err := ParsePEMFile(filepath.Join("testdata", "key_pkcs8.pem")); err != nil || !key.Equal(want) {
		t.Fatalf("ParsePEMFile(key_pkcs8.pem) = %v, %v; want the key ParsePEM reads", key, err)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.pem")
	writeFile(t, bad, []byte("not pem"))
	for _, tt := range []struct {
		path   string
		wantIn string
	}{
		{path: filepath.Join(dir, "absent.pem"), wantIn: "absent.pem"},
		{path: bad, wantIn: bad + ": no RSA private key"},
	} {
		if key, _, err := ParsePEMFile(tt.path); err == nil || key != nil || !strings.Contains(err.Error(), tt.wantIn) {
			t.Errorf("ParsePEMFile(%s) = %v, %v; want no key and an error containing %q", tt.path, key, err, tt.wantIn)
		}
	}
}

func TestEncodePEMRoundTrip(t *testing.T) {
	key := testKey(t, "key_pkcs1.pem")
	data, err := EncodePEM(key)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("-----BEGIN PRIVATE KEY-----\n")) {
		t.Errorf("EncodePEM() does not start with a PKCS#8 header:\n%s", data)
	}
	back, _, err := ParsePEM(data)
	if err != nil {
		t.Fatal(err)
	}
	if !back.Equal(key) {
		t.Error("EncodePEM then ParsePEM gave another key")
	}
}

func TestLoadDir(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "B2C_1A_FacebookSecret.secret"), []byte("fb-secret\n"))
	writeFile(t, filepath.Join(dir, "B2C_1A_RestApiKey.txt"), []byte("api key with spaces \r\n\r\n"))
	writeFile(t, filepath.Join(dir, "B2C_1A_Keep.secret"), []byte("  leading and inner\nlines"))
	writeFile(t, filepath.Join(dir, "B2C_1A_TokenSigningKeyContainer.pem"), cat(readTestdata(t, "key_pkcs8.pem"), readTestdata(t, "cert.pem")))
	writeFile(t, filepath.Join(dir, "B2C_1A_ClientAssertion.pem"), readTestdata(t, "key_pkcs1.pem"))
	writeFile(t, filepath.Join(dir, "README.md"), []byte("ignored"))
	writeFile(t, filepath.Join(dir, "sub", "B2C_1A_Nested.secret"), []byte("ignored"))

	s, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"B2C_1A_ClientAssertion", "B2C_1A_FacebookSecret", "B2C_1A_Keep", "B2C_1A_RestApiKey", "B2C_1A_TokenSigningKeyContainer"}
	if got := s.Containers(); !reflect.DeepEqual(got, want) {
		t.Errorf("Containers() = %q, want %q", got, want)
	}
	for _, tt := range []struct{ container, want string }{
		{"B2C_1A_FacebookSecret", "fb-secret"},
		{"B2C_1A_RestApiKey", "api key with spaces "},
		{"B2C_1A_Keep", "  leading and inner\nlines"},
	} {
		t.Run(tt.container, func(t *testing.T) {
			got, err := s.Secret(tt.container)
			if err != nil || string(got) != tt.want {
				t.Errorf("Secret(%s) = %q, %v; want %q", tt.container, got, err, tt.want)
			}
		})
	}
	k, err := s.RSA("B2C_1A_TokenSigningKeyContainer")
	if err != nil {
		t.Fatal(err)
	}
	if k.KeyID != thumbPKCS8 || k.Certificate == nil {
		t.Errorf("signing key kid %q, certificate %v; want kid %s with a certificate", k.KeyID, k.Certificate != nil, thumbPKCS8)
	}
	if k, err := s.RSA("B2C_1A_ClientAssertion"); err != nil || k.KeyID != thumbPKCS1 {
		t.Errorf("RSA(B2C_1A_ClientAssertion) = %v, %v; want kid %s", k, err, thumbPKCS1)
	}
}

func TestLoadDirErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string][]byte
		// wantIn lists text the error must hold: every bad file is reported.
		wantIn []string
	}{
		{
			name: "bad pem files are reported with their paths",
			files: map[string][]byte{
				"B2C_1A_Good.secret": []byte("x"),
				"B2C_1A_Bad.pem":     []byte("not a key"),
				"B2C_1A_Worse.pem":   readTestdata(t, "ec_pkcs8.pem"),
			},
			wantIn: []string{"B2C_1A_Bad.pem", "no RSA private key", "B2C_1A_Worse.pem", "want an RSA key"},
		},
		{
			name: "a container defined twice",
			files: map[string][]byte{
				"B2C_1A_Twice.secret": []byte("x"),
				"B2C_1A_Twice.txt":    []byte("y"),
			},
			wantIn: []string{"B2C_1A_Twice", "already defined"},
		},
		{
			name:   "a file without a container name",
			files:  map[string][]byte{".secret": []byte("x")},
			wantIn: []string{".secret", "no container name"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, data := range tt.files {
				writeFile(t, filepath.Join(dir, name), data)
			}
			s, err := LoadDir(dir)
			if err == nil {
				t.Fatalf("LoadDir() = %v, want an error", s.Containers())
			}
			wantMentions(t, "LoadDir()", err, tt.wantIn)
		})
	}
}

func TestLoadFile(t *testing.T) {
	pkcs8 := string(readTestdata(t, "key_pkcs8.pem"))
	indented := "      " + strings.ReplaceAll(strings.TrimSpace(pkcs8), "\n", "\n      ") + "\n"
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "certs", "assertion.pem"), readTestdata(t, "key_pkcs1.pem"))
	abs := filepath.Join(t.TempDir(), "abs.pem")
	writeFile(t, abs, readTestdata(t, "key_pkcs1.pem"))

	tests := []struct {
		name    string
		file    string
		content string
	}{
		{
			name: "YAML",
			file: "keys.yaml",
			content: "keys:\n" +
				"  - id: B2C_1A_FacebookSecret\n    secret: fb-secret\n" +
				"  - id: B2C_1A_TokenSigningKeyContainer\n    pem: |\n" + indented +
				"  - id: B2C_1A_ClientAssertion\n    pemFile: certs/assertion.pem\n" +
				"  - id: B2C_1A_Absolute\n    pemFile: " + abs + "\n",
		},
		{
			name: "JSON",
			file: "keys.json",
			content: `{"keys": [
	{"id": "B2C_1A_FacebookSecret", "secret": "fb-secret"},
	{"id": "B2C_1A_TokenSigningKeyContainer", "pem": ` + jsonString(pkcs8) + `},
	{"id": "B2C_1A_ClientAssertion", "pemFile": "certs/assertion.pem"},
	{"id": "B2C_1A_Absolute", "pemFile": ` + jsonString(abs) + `}
]}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			writeFile(t, path, []byte(tt.content))
			s, err := LoadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if got, err := s.Secret("B2C_1A_FacebookSecret"); err != nil || string(got) != "fb-secret" {
				t.Errorf("Secret() = %q, %v; want fb-secret", got, err)
			}
			for _, k := range []struct{ container, kid string }{
				{"B2C_1A_TokenSigningKeyContainer", thumbPKCS8},
				{"B2C_1A_ClientAssertion", thumbPKCS1},
				{"B2C_1A_Absolute", thumbPKCS1},
			} {
				if got, err := s.RSA(k.container); err != nil || got.KeyID != k.kid {
					t.Errorf("RSA(%s) = %v, %v; want kid %s", k.container, got, err, k.kid)
				}
			}
			if n := len(s.Containers()); n != 4 {
				t.Errorf("loaded %d containers, want 4", n)
			}
		})
	}
}

func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

func TestLoadFileErrors(t *testing.T) {
	tests := []struct {
		name    string
		content string
		wantIn  []string
		wantIs  error
	}{
		{"invalid YAML", "keys: [", []string{"keys.yaml"}, nil},
		{"invalid config", "keys:\n  - id: A\n", []string{"keys[0] (A)", "got 0"}, nil},
		{"missing pemFile", "keys:\n  - id: A\n    pemFile: missing.pem\n", []string{"key A", "missing.pem"}, fs.ErrNotExist},
		{
			"every bad key is reported",
			"keys:\n  - id: A\n    pem: garbage\n  - id: B\n    pemFile: missing.pem\n  - id: C\n    secret: fine\n",
			[]string{"key A", "no RSA private key", "key B", "missing.pem"},
			nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys.yaml")
			writeFile(t, path, []byte(tt.content))
			s, err := LoadFile(path)
			if err == nil {
				t.Fatalf("LoadFile() = %q, want an error", s.Containers())
			}
			wantMentions(t, "LoadFile()", err, tt.wantIn)
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("LoadFile() error %v, want errors.Is %v", err, tt.wantIs)
			}
		})
	}
}

func TestFileConfigValidate(t *testing.T) {
	tests := []struct {
		name   string
		cfg    FileConfig
		wantIn []string // nil: valid
	}{
		{"empty config is valid", FileConfig{}, nil},
		{
			"one source each is valid",
			FileConfig{Keys: []KeyConfig{{ID: "A", Secret: "x"}, {ID: "B", PEM: "p"}, {ID: "C", PEMFile: "f"}}},
			nil,
		},
		{"empty id", FileConfig{Keys: []KeyConfig{{Secret: "x"}}}, []string{"keys[0]: id is empty"}},
		{"duplicate id", FileConfig{Keys: []KeyConfig{{ID: "A", Secret: "x"}, {ID: "A", PEM: "p"}}}, []string{"keys[1]: duplicate id A"}},
		{"no source", FileConfig{Keys: []KeyConfig{{ID: "A"}}}, []string{"keys[0] (A): want exactly one of secret, pem, pemFile, got 0"}},
		{"two sources", FileConfig{Keys: []KeyConfig{{ID: "A", Secret: "x", PEMFile: "f"}}}, []string{"keys[0] (A): want exactly one of secret, pem, pemFile, got 2"}},
		{
			"every problem at once",
			FileConfig{Keys: []KeyConfig{
				{ID: "A", Secret: "x"},
				{Secret: "y"},
				{ID: "A", PEM: "p"},
				{ID: "B"},
				{ID: "C", Secret: "x", PEM: "p", PEMFile: "f"},
			}},
			[]string{
				"keys[1]: id is empty",
				"keys[2]: duplicate id A",
				"keys[3] (B): want exactly one of secret, pem, pemFile, got 0",
				"keys[4] (C): want exactly one of secret, pem, pemFile, got 3",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.cfg.Validate()
			if tt.wantIn == nil {
				if err != nil {
					t.Fatalf("Validate() = %v, want nil", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Validate() = nil, want %d problems", len(tt.wantIn))
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(tt.wantIn) {
				t.Errorf("Validate() reported %d problems, want %d:\n%v", len(lines), len(tt.wantIn), err)
			}
			wantMentions(t, "Validate()", err, tt.wantIn)
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "store", "B2C_1A_FromDir.secret"), []byte("d\n"))
	writeFile(t, filepath.Join(dir, "keys.yaml"), []byte("keys:\n  - id: B2C_1A_FromFile\n    secret: f\n"))

	tests := []struct {
		name    string
		path    string
		want    []string
		wantErr error
	}{
		{"directory", filepath.Join(dir, "store"), []string{"B2C_1A_FromDir"}, nil},
		{"file", filepath.Join(dir, "keys.yaml"), []string{"B2C_1A_FromFile"}, nil},
		{"missing path", filepath.Join(dir, "nope"), nil, fs.ErrNotExist},
		{"missing file", filepath.Join(dir, "nope.yaml"), nil, fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Load(tt.path)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Load(%s) error = %v, want %v", tt.path, err, tt.wantErr)
			}
			if err != nil {
				if !strings.Contains(err.Error(), tt.path) {
					t.Errorf("Load() error %q does not name the path", err)
				}
				return
			}
			if got := s.Containers(); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Load(%s).Containers() = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
	if _, err := LoadDir(filepath.Join(dir, "nope")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadDir(missing) error = %v, want fs.ErrNotExist", err)
	}
	if _, err := LoadFile(filepath.Join(dir, "nope.yaml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadFile(missing) error = %v, want fs.ErrNotExist", err)
	}
}

// TestWeakRSAKeyRefused: an RSA key under 2048 bits is refused, as a signing
// key an application would trust must not be (issue #18).
func TestWeakRSAKeyRefused(t *testing.T) {
	weak, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewStore().SetRSA("B2C_1A_TokenSigningKeyContainer", weak, nil); !errors.Is(err, ErrWeakKey) {
		t.Fatalf("a 1024-bit key: %v, want ErrWeakKey", err)
	}
}
