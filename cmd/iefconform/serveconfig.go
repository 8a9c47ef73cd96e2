package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"

	"github.com/iefconform/iefconform/engine/server"
	"github.com/iefconform/iefconform/harness/stack"
	mockoauth1 "github.com/iefconform/iefconform/mocks/oauth1"
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
)

// serveConfigHelp is the part of serve --help that describes --config.
const serveConfigHelp = `

The stack in one file (--config FILE, YAML or JSON): the keys below, where
parties: takes the place of --addr, --facebook-addr, --rp-addr and --party,
and applications: adds to --app. A flag given on the command line wins over
the file, and so does $IEFCONFORM_ADMIN_TOKEN over adminToken. Paths are
relative to the file's folder. Every problem is listed at once, as
FILE:LINE: message.

  policies: ./policies            # --policies
  policy: SocialAndLocalAccounts  # --policy
  keys: ./keys                    # --keys
  settings: {Tenant: contoso.onmicrosoft.com}   # --set, one per key
  mapHosts: {login.contoso.com: contoso}        # --map-host
  apps: ./apps.yaml               # --apps
  applications:                   # more registrations, as in an --apps file
    - {clientId: my-app, redirectUris: [http://localhost:5000/signin-oidc], secret: dev}
  directory: ./directory.json     # --directory
  tls: false                      # --tls
  stateDir: ./state               # --state-dir
  publicURL: http://localhost:8080  # --public-url
  adminToken: change-me           # --admin-token
  responseMode: form_post         # --response-mode
  verbose: false                  # --verbose
  parties:                        # listen addresses (a random loopback port when absent)
    b2c: 127.0.0.1:8080           # the emulator (--addr)
    facebook: 127.0.0.1:8081      # also linkedin, contoso, twitter, rest,
    rp: 127.0.0.1:8082            #   rest-untrusted, mailbox
  users:                          # accounts of the mock identity providers, beside alice
    facebook:                     # also linkedin, contoso: username, password, claims
      - {username: bob, password: builder, claims: {id: "42", email: bob@example.com}}
    twitter:                      # username, password, userID, screenName, email, claims
      - {username: carol, password: secret, userID: "1234", email: carol@example.com}
`

// serveFile is the file of serve --config.
type serveFile struct {
	Policies     string               `yaml:"policies"`
	Policy       string               `yaml:"policy"`
	Keys         string               `yaml:"keys"`
	Settings     map[string]string    `yaml:"settings"`
	MapHosts     map[string]string    `yaml:"mapHosts"`
	Apps         string               `yaml:"apps"`
	Applications yaml.Node            `yaml:"applications"`
	Directory    string               `yaml:"directory"`
	TLS          *bool                `yaml:"tls"`
	StateDir     string               `yaml:"stateDir"`
	PublicURL    string               `yaml:"publicURL"`
	AdminToken   string               `yaml:"adminToken"`
	ResponseMode string               `yaml:"responseMode"`
	Verbose      *bool                `yaml:"verbose"`
	Parties      map[string]string    `yaml:"parties"`
	Users        map[string]yaml.Node `yaml:"users"`
}

// fileProblems collects the problems of a config file, each at its line.
type fileProblems struct {
	file string
	list []string
}

func (p *fileProblems) add(line int, format string, args ...any) {
	at := p.file
	if line > 0 {
		at += ":" + strconv.Itoa(line)
	}
	p.list = append(p.list, at+": "+fmt.Sprintf(format, args...))
}

func (p *fileProblems) err() error {
	if len(p.list) == 0 {
		return nil
	}
	return usagef("--config: %s", plural(len(p.list), "problem")+":\n  "+strings.Join(p.list, "\n  "))
}

// yamlLine finds the line yaml.v3 names in an error ("line 3: ...").
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// readServeFile reads and checks the file of --config; every problem is
// reported at once.
func readServeFile(name string) (*serveFile, *yaml.Node, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, nil, usagef("--config: %w", err)
	}
	probs := &fileProblems{file: name}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		yamlErrors(probs, err)
		return nil, nil, probs.err()
	}
	var f serveFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) { // io.EOF: an empty file
		yamlErrors(probs, err)
		return nil, nil, probs.err()
	}
	return &f, &root, nil
}

// yamlErrors turns yaml.v3's errors into FILE:LINE problems.
func yamlErrors(probs *fileProblems, err error) {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	for _, m := range msgs {
		if g := yamlLine.FindStringSubmatch(strings.TrimSpace(m)); g != nil {
			n, _ := strconv.Atoi(g[1])
			probs.add(n, "%s", strings.Replace(g[2], " in type main.serveFile", "", 1))
			continue
		}
		probs.add(0, "%s", strings.TrimPrefix(m, "yaml: "))
	}
}

// keyLine is the line of key in the mapping node m (the document's root when
// m is a document node), or 0.
func keyLine(m *yaml.Node, key string) int {
	if m.Kind == yaml.DocumentNode && len(m.Content) > 0 {
		m = m.Content[0]
	}
	if m.Kind != yaml.MappingNode {
		return 0
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i].Line
		}
	}
	return 0
}

// valueNode is the value of key in the mapping node m, or nil.
func valueNode(m *yaml.Node, key string) *yaml.Node {
	if m.Kind == yaml.DocumentNode && len(m.Content) > 0 {
		m = m.Content[0]
	}
	if m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// oauth2Parties are the stack's OAuth2 identity providers, which take users.
var oauth2Parties = []string{stack.PartyFacebook, stack.PartyLinkedIn, stack.PartyContoso}

// applyServeFile reads --config into o: a value in the file is used where its
// flag was not given on the command line.
func (o *serveOptions) applyServeFile(flags *pflag.FlagSet) error {
	f, root, err := readServeFile(o.config)
	if err != nil {
		return err
	}
	probs := &fileProblems{file: o.config}
	dir := filepath.Dir(o.config)
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	setString := func(flag string, dst *string, v string) {
		if v != "" && !flags.Changed(flag) {
			*dst = v
		}
	}
	setBool := func(flag string, dst *bool, v *bool) {
		if v != nil && !flags.Changed(flag) {
			*dst = *v
		}
	}
	if f.Policies != "" {
		if err := isDir(rel(f.Policies)); err != nil {
			probs.add(keyLine(root, "policies"), "policies: %v", err)
		}
	}
	for key, p := range map[string]string{"keys": f.Keys, "apps": f.Apps} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(rel(p)); err != nil {
			probs.add(keyLine(root, key), "%s: %v", key, err)
		}
	}
	setString("policies", &o.policies, rel(f.Policies))
	setString("policy", &o.policy, f.Policy)
	setString("keys", &o.keys, rel(f.Keys))
	setString("apps", &o.appsFile, rel(f.Apps))
	setString("directory", &o.directory, rel(f.Directory))
	setString("state-dir", &o.stateDir, rel(f.StateDir))
	setString("public-url", &o.publicURL, f.PublicURL)
	if os.Getenv(envAdminToken) == "" { // the environment wins over the file
		setString("admin-token", &o.adminToken, f.AdminToken)
	}
	setString("response-mode", &o.responseMode, f.ResponseMode)
	setBool("tls", &o.tls, f.TLS)
	setBool("verbose", &o.verbose, f.Verbose)
	// The file's settings and host map come first; the command line's --set
	// and --map-host, read after them, win.
	o.set = append(sortedPairs(f.Settings), o.set...)
	o.mapHost = append(sortedPairs(f.MapHosts), o.mapHost...)

	if f.Applications.Kind != 0 {
		var doc bytes.Buffer
		enc := yaml.NewEncoder(&doc)
		if err := enc.Encode(map[string]*yaml.Node{"applications": &f.Applications}); err != nil {
			probs.add(f.Applications.Line, "applications: %v", err)
		} else if apps, err := server.ReadApplications(&doc); err != nil {
			probs.add(f.Applications.Line, "%v", err)
		} else {
			o.fileApps = apps
		}
	}

	parties := valueNode(root, "parties")
	for _, name := range sortedKeys(f.Parties) {
		addr := f.Parties[name]
		line := keyLine(root, "parties")
		if parties != nil {
			line = keyLine(parties, name)
		}
		if !slices.Contains(stack.Parties, name) {
			probs.add(line, "parties: %q is no party; want one of %s", name, strings.Join(stack.Parties, ", "))
			continue
		}
		if name == stack.PartyEmulator && flags.Changed("addr") {
			continue
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			probs.add(line, "parties: %s: %q is no HOST:PORT address", name, addr)
			continue
		}
		if ln, err := net.Listen("tcp", addr); err != nil {
			probs.add(line, "parties: %s: cannot listen on %s: %v", name, addr, unwrapOp(err))
			continue
		} else {
			_ = ln.Close()
		}
		if o.partyAddrs == nil {
			o.partyAddrs = map[string]string{}
		}
		o.partyAddrs[name] = addr
	}
	if a, ok := o.partyAddrs[stack.PartyEmulator]; ok {
		o.addr = a
	}

	users := valueNode(root, "users")
	for _, name := range sortedKeys(f.Users) {
		node := f.Users[name]
		line := node.Line
		if users != nil {
			line = keyLine(users, name)
		}
		switch {
		case slices.Contains(oauth2Parties, name):
			var list []mockoauth2.User
			if err := decodeStrict(&node, &list); err != nil {
				probs.add(line, "users: %s: %v", name, err)
				continue
			}
			for i, u := range list {
				if u.Username == "" || u.Password == "" {
					probs.add(node.Content[i].Line, "users: %s: a user needs a username and a password", name)
				}
			}
			if o.oauth2Users == nil {
				o.oauth2Users = map[string][]mockoauth2.User{}
			}
			o.oauth2Users[name] = list
		case name == stack.PartyTwitter:
			var list []mockoauth1.User
			if err := decodeStrict(&node, &list); err != nil {
				probs.add(line, "users: %s: %v", name, err)
				continue
			}
			for i, u := range list {
				if u.Username == "" || u.Password == "" || u.UserID == "" {
					probs.add(node.Content[i].Line, "users: %s: a user needs a username, a password and a userID", name)
				}
			}
			o.oauth1Users = list
		default:
			probs.add(line, "users: %q takes no users; the identity providers that do are %s, %s", name, strings.Join(oauth2Parties, ", "), stack.PartyTwitter)
		}
	}
	return probs.err()
}

// decodeStrict decodes a node, refusing unknown fields as the file does.
func decodeStrict(n *yaml.Node, v any) error {
	var buf bytes.Buffer
	if err := yaml.NewEncoder(&buf).Encode(n); err != nil {
		return err
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			// The lines are those of the re-encoded node: keep the message only.
			for i, m := range te.Errors {
				if g := yamlLine.FindStringSubmatch(m); g != nil {
					te.Errors[i] = g[2]
				}
			}
			return errors.New(strings.Join(te.Errors, "; "))
		}
		return err
	}
	return nil
}

// unwrapOp drops net.OpError's "listen tcp ADDR:" prefix, which the message
// already names.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// sortedPairs are a map's entries as NAME=VALUE, by name.
func sortedPairs(m map[string]string) []string {
	var out []string
	for _, k := range sortedKeys(m) {
		out = append(out, k+"="+m[k])
	}
	return out
}
