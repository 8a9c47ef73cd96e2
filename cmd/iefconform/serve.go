package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/iefconform/iefconform/engine/keys"
	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/server"
	"github.com/iefconform/iefconform/features"
	"github.com/iefconform/iefconform/harness/stack"
	mockoauth1 "github.com/iefconform/iefconform/mocks/oauth1"
	mockoauth2 "github.com/iefconform/iefconform/mocks/oauth2"
	"github.com/iefconform/iefconform/mocks/rp"
)

const serveLong = `Start the emulator and its mock parties, the same stack a scenario gets, and
keep them running for sign-ins by hand, until Ctrl+C (SIGINT) or SIGTERM.

The emulator listens on --addr; the Facebook-like identity provider and the
relying party on random loopback ports unless --facebook-addr and --rp-addr
say otherwise. The emulator serves every relying-party policy of one policy
folder: a built-in one (--policy, default facebook) or one of yours
(--policies). The Facebook mock has a demo user, alice / wonderland, with the
claims id, first_name, last_name, name and email.

serve prints each party's URL, the tenant, the policies served, the policy
keys, the demo credentials and, per policy, a sign-in link: the relying
party's authorization request (response_type=id_token). Open a link in a
browser, sign in at the Facebook mock's login page, and the relying party's
result page shows the id_token it received, verified, with its decoded claims.
A link can be opened again for another sign-in.

Policy keys: the stack creates B2C_1A_FacebookSecret (the Facebook mock's
client secret) and the token signing key B2C_1A_TokenSigningKeyContainer.
--keys adds containers from a key store, replacing those of the same name: a
folder of NAME.secret and NAME.pem files, or a YAML/JSON file
{keys: [{id, secret | pem | pemFile}]}. A B2C_1A_FacebookSecret given there
becomes the Facebook mock's client secret too.

Admin APIs: each mock has a test API under /_admin/ (users, clients, canned
responses, the requests it received; /_admin/config redacts secrets unless
asked with ?secrets=true); bodies are JSON (Content-Type: application/json).
Without --admin-token the mocks answer it for loopback clients only, and only
for requests that name the party's own address (localhost, 127.0.0.1, [::1]);
with it (or IEFCONFORM_ADMIN_TOKEN), every admin request needs
"Authorization: Bearer TOKEN", from anywhere. Set one whenever a mock listens
beyond loopback: serve warns when one does without it.

Real hosts: policies as you upload them name Facebook's real endpoints
(https://www.facebook.com/dialog/oauth, https://graph.facebook.com/...). The
emulator sends those hosts to the Facebook mock, which serves Facebook's paths
and accepts the client_id your policy sends (facebook_clientid in the starter
pack). --map-host HOST=PARTY maps more hosts; the parties are facebook,
linkedin, contoso, twitter, rest, rp and mailbox.

Local accounts: the emulator has a directory and a mailbox. Sign-up pages send
their verification codes to the mailbox, whose messages GET /_admin/messages on
the mailbox lists. The directory is empty at start, or with --directory FILE
holds the accounts of that JSON file and writes every change back to it:
  {"users": [{"identities": [{"signInType": "emailAddress",
     "issuerAssignedId": "bob@contoso.com"}], "password": "Passw0rd!",
     "attributes": {"displayName": "Bob", "givenName": "Bob"}}]}
(a plain-text password is hashed and written back as passwordHash). On the
emulator's address, GET /_admin/directory lists the accounts, POST
/_admin/directory/users creates one, DELETE /_admin/directory/users/{objectId}
removes one (guarded like the mocks' admin APIs).

HTTPS: --tls serves every party over HTTPS (MSAL refuses an http authority),
with certificates of a local CA. serve prints where the CA certificate is and
how to make Go, Node.js and curl trust it; with --state-dir DIR the CA is kept
in DIR and stays the same across restarts (trust it once). --public-url sets
the base URL the emulator writes in issuers, discovery and redirects, when it
sits behind your proxy or in a container.

Your applications: the emulator's tenant has the relying party's registration
and those of --apps FILE and --app. A file holds
  applications:
    - clientId: 6a1b5f7e-2c0d-4e1f-9a8b-7c6d5e4f3a2b
      displayName: My web app
      redirectUris: [http://localhost:5000/signin-oidc]
      secrets: [my-secret]          # a confidential client; or public: true
      allowImplicitFlow: true       # for response_type id_token / code id_token
      permissions: [https://contoso.onmicrosoft.com/api/read]
    - clientId: 9c2e...             # an API
      identifierUri: https://contoso.onmicrosoft.com/api
      scopes: [read, write]
Redirect URIs match exactly; http is allowed for localhost only. Ask for the
client id (or a granted API scope) in the scope to get an access token, and
offline_access for a refresh token.

--verbose prints the emulator's journey log (slog text) to stderr; without it
only warnings and errors are printed.`

// envAdminToken is the environment variable --admin-token defaults to.
const envAdminToken = "IEFCONFORM_ADMIN_TOKEN"

const serveExample = `  # The built-in Facebook policies on http://127.0.0.1:8080:
  iefconform serve

  # Every party on a fixed port, the journey log on stderr:
  iefconform serve --addr 127.0.0.1:8080 --facebook-addr 127.0.0.1:8081 --rp-addr 127.0.0.1:8082 --verbose

  # Your own policy folder and keys, answers by fragment:
  iefconform serve --policies ./policies/facebook --keys ./keys --response-mode fragment

  # The public starter pack, unchanged:
  iefconform serve --policies ./active-directory-b2c-custom-policy-starterpack --policy SocialAndLocalAccounts`

// serveOptions are the flags of serve.
type serveOptions struct {
	addr, facebookAddr, rpAddr string
	adminToken                 string
	policy                     string
	policies                   string
	keys                       string
	set                        []string
	mapHost                    []string
	directory                  string
	appsFile                   string
	apps                       []string
	tls                        bool
	stateDir                   string
	publicURL                  string
	responseMode               string
	verbose                    bool
	// config is --config; what it adds beyond the flags' own values:
	config      string
	partyFlags  []string          // --party NAME=HOST:PORT
	partyAddrs  map[string]string // listen addresses by party
	fileApps    []server.Application
	oauth2Users map[string][]mockoauth2.User // by party
	oauth1Users []mockoauth1.User            // Twitter's

	// ready, when set, is called with the running stack once serve has
	// printed its links. Tests use it.
	ready func(*stack.Stack)
}

// Demo user of the Facebook mock, with the claim shapes of seed 001.
const (
	demoUser     = "alice"
	demoPassword = "wonderland"
)

func demoClaims() map[string]any {
	return map[string]any{
		"id":         "10158000000000001",
		"first_name": "Alice",
		"last_name":  "Liddell",
		"name":       "Alice Liddell",
		"email":      "alice@example.com",
	}
}

func newServeCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:     "serve [flags]",
		Short:   "Serve the emulator and mock parties for sign-ins by hand",
		Long:    serveLong + serveConfigHelp,
		Example: serveExample,
		Args:    usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.config != "" {
				if err := o.applyServeFile(cmd.Flags()); err != nil {
					return err
				}
			}
			if err := o.applyPartyFlags(cmd.Flags()); err != nil {
				return err
			}
			return serve(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&o.partyFlags, "party", nil, "listen on `NAME=HOST:PORT` for the party NAME ("+strings.Join(stack.Parties, ", ")+"); repeat for more")
	f.StringVar(&o.config, "config", "", "read the stack's configuration from `FILE` (YAML or JSON; see below); flags given win over it")
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "the emulator's listen address `HOST:PORT`; port 0 picks a free port")
	f.StringVar(&o.facebookAddr, "facebook-addr", stack.DefaultAddr, "the Facebook mock's listen address `HOST:PORT`; the default picks a random loopback port")
	f.StringVar(&o.rpAddr, "rp-addr", stack.DefaultAddr, "the relying party's listen address `HOST:PORT`; the default picks a random loopback port")
	f.StringVar(&o.policy, "policy", "facebook", "serve the built-in policy folder `NAME`, or with --policies its subfolder NAME")
	f.StringVar(&o.policies, "policies", "",
		"serve your own policies: `DIR` is a folder of *.xml policy files, or a folder of policy folders\n"+
			"of which --policy picks one (e.g. --policies ./policies/facebook)")
	f.StringVar(&o.keys, "keys", "", "add policy keys from the key store `PATH`: a folder of NAME.secret / NAME.pem files or a YAML/JSON file")
	f.StringArrayVar(&o.set, "set", nil, "override one {Settings:Name} value the stack supplies, as `Name=Value`; repeat for more")
	f.BoolVar(&o.tls, "tls", false, "serve the emulator and every mock over HTTPS with certificates of a local CA (see --help)")
	f.StringVar(&o.stateDir, "state-dir", "", "keep the local CA of --tls in `DIR` (ca.pem, ca-key.pem), the same across restarts")
	f.StringVar(&o.publicURL, "public-url", "", "the emulator's base `URL` in everything it writes (issuer, discovery, redirects), when it sits behind your proxy or in a container")
	f.StringVar(&o.appsFile, "apps", "",
		"register the applications of the YAML or JSON file `FILE` ({applications: [...]}; see --help)")
	f.StringArrayVar(&o.apps, "app", nil,
		"register one application, as `client_id=ID,redirect_uri=URI[,redirect_uri=URI][,secret=S][,public][,implicit]`; repeat for more")
	f.StringVar(&o.directory, "directory", "",
		"keep the directory's accounts in the JSON file `FILE`: read at start (create it by hand to seed\n"+
			"accounts), every sign-up and change written back; without it they live until serve stops")
	f.StringArrayVar(&o.mapHost, "map-host", nil,
		"send a real host your policies name to one of the stack's parties, as `HOST=PARTY`\n"+
			"(e.g. graph.facebook.com=facebook); repeat for more. Added to the default map, which sends\n"+
			"www.facebook.com, m.facebook.com and graph.facebook.com to the Facebook mock")
	f.StringVar(&o.responseMode, "response-mode", "form_post", "`MODE` in which the emulator returns the id_token to the relying party in the printed links:\nform_post or fragment")
	f.StringVar(&o.adminToken, "admin-token", os.Getenv(envAdminToken),
		"guard the mocks' admin APIs with `TOKEN` (sent as a Bearer token); default $"+envAdminToken+"; without one they answer loopback clients only")
	f.BoolVarP(&o.verbose, "verbose", "v", false, "print the emulator's journey log (slog text) to stderr")
	return cmd
}

// policySource locates the policy folder serve loads.
func (o serveOptions) policySource() (fsys fs.FS, dir, label string, err error) {
	if o.policies == "" {
		sub, err := fs.Sub(features.FS, features.Policies)
		if err != nil {
			return nil, "", "", fmt.Errorf("built-in policies: %w", err)
		}
		if _, err := fs.Stat(sub, o.policy); err != nil {
			return nil, "", "", usagef("--policy %q: no such built-in policy folder; have %s", o.policy, strings.Join(builtinPolicyFolders(sub), ", "))
		}
		return sub, o.policy, o.policy + " (built-in)", nil
	}
	if err := isDir(o.policies); err != nil {
		return nil, "", "", usagef("--policies: %w", err)
	}
	fsys = os.DirFS(o.policies)
	if hasXML(fsys, ".") {
		return fsys, ".", o.policies, nil
	}
	if _, err := fs.Stat(fsys, o.policy); err != nil {
		return nil, "", "", usagef("--policies %s has no *.xml files and no policy folder %q (--policy)", o.policies, o.policy)
	}
	return fsys, o.policy, path.Join(o.policies, o.policy), nil
}

func builtinPolicyFolders(fsys fs.FS) []string {
	entries, _ := fs.ReadDir(fsys, ".")
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	return names
}

func hasXML(fsys fs.FS, dir string) bool {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if !e.IsDir() && strings.EqualFold(path.Ext(e.Name()), ".xml") {
			return true
		}
	}
	return false
}

func serve(ctx context.Context, o serveOptions, stdout, stderr io.Writer) error {
	switch o.responseMode {
	case "form_post", "fragment":
	default:
		return usagef("--response-mode %q: want form_post or fragment", o.responseMode)
	}
	overrides, err := settingsFrom("", "", o.set)
	if err != nil {
		return err
	}
	fsys, dir, label, err := o.policySource()
	if err != nil {
		return err
	}
	hostMap, err := hostMapFrom(o.mapHost)
	if err != nil {
		return err
	}
	apps, err := o.applications()
	if err != nil {
		return err
	}
	var store *keys.Store
	if o.keys != "" {
		if store, err = keys.Load(o.keys); err != nil {
			return usagef("--keys: %w", err)
		}
	}
	level := slog.LevelWarn
	if o.verbose {
		level = slog.LevelDebug
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	pkiOpt, caPath, err := o.pki()
	if err != nil {
		return err
	}
	if o.adminToken == "" {
		for _, flag := range o.beyondLoopback() {
			fmt.Fprintf(stderr, "warning: %s listens beyond loopback and no --admin-token is set: the sign-in endpoints and the demo user are open to the network; "+
				"the admin APIs answer only loopback clients that name this machine (localhost, 127.0.0.1). Set --admin-token (or $%s) to guard them with a token instead\n",
				flag, envAdminToken)
		}
	}
	st, err := stack.Start(stack.Options{
		TLS:           o.tls,
		PKI:           pkiOpt,
		PublicURL:     strings.TrimRight(o.publicURL, "/"),
		Policies:      fsys,
		Logger:        logger,
		Keys:          store,
		EmulatorAddr:  o.addr,
		FacebookAddr:  o.facebookAddr,
		RPAddr:        o.rpAddr,
		Addrs:         o.fixedAddrs(),
		AdminToken:    o.adminToken,
		DirectoryFile: o.directory,
		Applications:  apps,
	})
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	defer func() {
		if err := st.Close(); err != nil {
			fmt.Fprintf(stderr, "warning: stop the parties: %v\n", err)
		}
	}()
	// Generate the signing key now rather than at the first sign-in, so that
	// it is listed below and the JWKS has it from the start.
	if _, err := st.Keys.EnsureRSA(stack.TokenSigningKey); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	if err := st.Load(dir, stack.PolicyOptions{Settings: overrides, HostMap: hostMap}); err != nil {
		var probs policy.Problems
		if errors.As(err, &probs) {
			for _, p := range probs {
				fmt.Fprintln(stderr, oneLine(p.String()))
			}
			fmt.Fprintf(stderr, "serve: the policies of %s have %s; see `iefconform validate`\n", label, plural(len(probs), "problem"))
			return errFailed
		}
		return fmt.Errorf("serve: %w", err)
	}
	if err := st.Facebook.AddUser(mockoauth2.User{Username: demoUser, Password: demoPassword, Claims: demoClaims()}); err != nil {
		return fmt.Errorf("serve: demo user: %w", err)
	}
	if err := o.addUsers(st); err != nil {
		return err
	}
	if err := printServe(stdout, st, label, o.responseMode); err != nil {
		return err
	}
	if caPath != "" {
		fmt.Fprintf(stdout, "\nHTTPS: the parties' certificates come from the CA in %s. Trust it:\n", caPath)
		fmt.Fprintf(stdout, "  Go, curl, Python (OpenSSL): SSL_CERT_FILE=%s    curl --cacert %s\n", caPath, caPath)
		fmt.Fprintf(stdout, "  Node.js (MSAL Node, openid-client): NODE_EXTRA_CA_CERTS=%s\n", caPath)
		fmt.Fprintf(stdout, "  a browser: import it as a trusted authority, or start Chromium with --ignore-certificate-errors\n")
	}
	if o.ready != nil {
		o.ready(st)
	}
	<-ctx.Done()
	fmt.Fprintln(stdout, "stopping")
	return nil
}

// beyondLoopback names the listen flags whose address is not a loopback one
// (an unspecified host such as 0.0.0.0 or an empty one, another interface's
// address, a host name other than localhost), as "--flag value".
func (o serveOptions) beyondLoopback() []string {
	var out []string
	listens := []struct{ flag, addr string }{{"--addr", o.addr}, {"--facebook-addr", o.facebookAddr}, {"--rp-addr", o.rpAddr}}
	for _, name := range sortedKeys(o.partyAddrs) {
		if name != stack.PartyEmulator {
			listens = append(listens, struct{ flag, addr string }{"party " + name, o.partyAddrs[name]})
		}
	}
	for _, f := range listens {
		if !isLoopbackAddr(f.addr) {
			out = append(out, f.flag+" "+f.addr)
		}
	}
	return out
}

// isLoopbackAddr reports whether a listen address (HOST:PORT; "" is
// stack.DefaultAddr) is a loopback one: localhost or a loopback IP, not an
// unspecified host such as 0.0.0.0, another interface or another name.
func isLoopbackAddr(addr string) bool {
	if addr == "" {
		addr = stack.DefaultAddr
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Unmap().IsLoopback()
}

// pki is the PKI of --tls: the CA kept in --state-dir, or a new one whose
// certificate is written to a temporary folder; caPath is where users find
// the certificate ("" without --tls).
func (o serveOptions) pki() (p *stack.PKI, caPath string, err error) {
	switch {
	case !o.tls && o.stateDir != "":
		return nil, "", usagef("--state-dir keeps the CA of --tls: add --tls")
	case !o.tls:
		return nil, "", nil
	case o.stateDir != "":
		if p, err = stack.OpenPKI(o.stateDir); err != nil {
			return nil, "", usagef("--state-dir: %w", err)
		}
		return p, filepath.Join(o.stateDir, stack.CACertFile), nil
	}
	if p, err = stack.NewPKI(); err != nil {
		return nil, "", fmt.Errorf("serve: %w", err)
	}
	dir, err := os.MkdirTemp("", "iefconform-ca-")
	if err != nil {
		return nil, "", fmt.Errorf("serve: %w", err)
	}
	caPath = filepath.Join(dir, stack.CACertFile)
	if err := os.WriteFile(caPath, p.CA.PEM(), 0o644); err != nil {
		return nil, "", fmt.Errorf("serve: %w", err)
	}
	return p, caPath, nil
}

// applyPartyFlags reads --party NAME=HOST:PORT over --config's parties.
func (o *serveOptions) applyPartyFlags(flags *pflag.FlagSet) error {
	for _, v := range o.partyFlags {
		name, addr, ok := strings.Cut(v, "=")
		if _, _, err := net.SplitHostPort(addr); !ok || err != nil {
			return usagef("--party %q: want NAME=HOST:PORT, e.g. facebook=127.0.0.1:8081", v)
		}
		if !slices.Contains(stack.Parties, name) {
			return usagef("--party %q: %q is no party; want one of %s", v, name, strings.Join(stack.Parties, ", "))
		}
		if o.partyAddrs == nil {
			o.partyAddrs = map[string]string{}
		}
		o.partyAddrs[name] = addr
		if name == stack.PartyEmulator && !flags.Changed("addr") {
			o.addr = addr
		}
	}
	return nil
}

// fixedAddrs are the listen addresses of --config's parties, with the
// flags' own (--addr, --facebook-addr, --rp-addr) when given on the command
// line, as Options.Addrs.
func (o serveOptions) fixedAddrs() map[string]string {
	if len(o.partyAddrs) == 0 {
		return nil
	}
	m := maps.Clone(o.partyAddrs)
	m[stack.PartyEmulator] = o.addr
	if o.facebookAddr != stack.DefaultAddr {
		m[stack.PartyFacebook] = o.facebookAddr
	}
	if o.rpAddr != stack.DefaultAddr {
		m[stack.PartyRP] = o.rpAddr
	}
	return m
}

// addUsers gives the mock identity providers the users of --config.
func (o serveOptions) addUsers(st *stack.Stack) error {
	for _, name := range sortedKeys(o.oauth2Users) {
		idp, ok := st.IdP(name)
		if !ok {
			return fmt.Errorf("serve: users: no identity provider %s", name)
		}
		for _, u := range o.oauth2Users[name] {
			if err := idp.Mock.AddUser(u); err != nil {
				return usagef("--config %s: users: %s: %w", o.config, name, err)
			}
		}
	}
	for _, u := range o.oauth1Users {
		if err := st.Twitter.AddUser(u); err != nil {
			return usagef("--config %s: users: %s: %w", o.config, stack.PartyTwitter, err)
		}
	}
	return nil
}

// applications are the registrations of --config, --apps and --app.
func (o serveOptions) applications() ([]server.Application, error) {
	apps := slices.Clone(o.fileApps)
	if o.appsFile != "" {
		a, err := server.LoadApplications(o.appsFile)
		if err != nil {
			return nil, usagef("--apps: %w", err)
		}
		apps = append(apps, a...)
	}
	for _, spec := range o.apps {
		a, err := server.ParseApplication(spec)
		if err != nil {
			return nil, usagef("--app: %w", err)
		}
		apps = append(apps, a)
	}
	return apps, nil
}

// hostMapFrom reads --map-host HOST=PARTY values over the stack's default
// host map. A party the stack does not run is refused when the policy loads.
func hostMapFrom(values []string) (map[string]string, error) {
	m := maps.Clone(stack.DefaultHostMap)
	for _, v := range values {
		host, party, ok := strings.Cut(v, "=")
		host, party = strings.ToLower(strings.TrimSpace(host)), strings.ToLower(strings.TrimSpace(party))
		if !ok || host == "" || party == "" || strings.ContainsAny(host, "/:") {
			return nil, usagef("--map-host %q: want HOST=PARTY, e.g. graph.facebook.com=facebook", v)
		}
		m[host] = party
	}
	return m, nil
}

// printServe prints the parties, the policies and a sign-in link per policy.
func printServe(out io.Writer, st *stack.Stack, label, mode string) error {
	emu := st.Emulator()
	policies := emu.Policies()
	type link struct{ policy, url, metadata string }
	var links []link
	for _, id := range policies {
		u, _, err := st.BeginSignIn(id, rp.AuthorizeRequest{ResponseType: "id_token", ResponseMode: mode})
		if err != nil {
			return fmt.Errorf("serve: sign-in link for %s: %w", id, err)
		}
		links = append(links, link{id, u, emu.MetadataURL(id)})
	}

	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "iefconform serve: the emulator and its mock parties are running.")
	fmt.Fprintln(tw)
	urls := st.URLs()
	for _, p := range []struct{ name, title, note string }{
		{stack.PartyEmulator, "emulator (B2C)", ""},
		{stack.PartyFacebook, "Facebook (mock OAuth2 IdP)", ""},
		{stack.PartyLinkedIn, "LinkedIn (mock OAuth2 IdP)", ""},
		{stack.PartyContoso, "Contoso (mock OpenID Connect IdP)", ""},
		{stack.PartyTwitter, "Twitter (mock OAuth 1.0a IdP)", ""},
		{stack.PartyREST, "REST API (mock)", "(client certificate trusted by the emulator)"},
		{stack.PartyRESTUntrusted, "REST API, untrusted certificate", ""},
		{stack.PartyRP, "relying party", "(redirect URI " + st.RP.RedirectURI() + ")"},
		{stack.PartyMailbox, "mailbox", "(verification codes: GET /_admin/messages)"},
	} {
		if p.note == "" {
			fmt.Fprintf(tw, "  %s\t%s\n", p.title, urls[p.name])
			continue
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", p.title, urls[p.name], p.note)
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "  tenant\t%s\n", emu.Tenant())
	fmt.Fprintf(tw, "  policy folder\t%s\n", label)
	fmt.Fprintf(tw, "  policies served\t%s\n", strings.Join(policies, ", "))
	fmt.Fprintf(tw, "  policy keys\t%s\n", strings.Join(st.Keys.Containers(), ", "))
	fmt.Fprintf(tw, "  client_id\t%s\t(relying party at the emulator)\n", st.RP.ClientID())
	for _, a := range emu.Applications() {
		if a.ClientID != st.RP.ClientID() {
			fmt.Fprintf(tw, "  application\t%s\t%s %s\n", a.ClientID, a.DisplayName, strings.Join(a.RedirectURIs, " "))
		}
	}
	fmt.Fprintf(tw, "  demo user\t%s / %s\t(at the Facebook mock's login page)\n", demoUser, demoPassword)
	for _, name := range []string{stack.PartyFacebook, stack.PartyLinkedIn, stack.PartyContoso} {
		idp, _ := st.IdP(name)
		for _, u := range idp.Mock.Users() {
			if name != stack.PartyFacebook || u.Username != demoUser {
				fmt.Fprintf(tw, "  %s user\t%s / %s\n", name, u.Username, u.Password)
			}
		}
	}
	for _, u := range st.Twitter.Users() {
		fmt.Fprintf(tw, "  %s user\t%s / %s\n", stack.PartyTwitter, u.Username, u.Password)
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(out)
	fmt.Fprintf(out, "Sign in: open a link in a browser and log in as %s / %s; the relying party\n", demoUser, demoPassword)
	fmt.Fprintf(out, "then shows the id_token and its claims (response_type=id_token, response_mode=%s).\n", mode)
	for _, l := range links {
		fmt.Fprintf(out, "\n  %s\n    sign-in link: %s\n    metadata:     %s\n", l.policy, l.url, l.metadata)
	}
	fmt.Fprintln(out)
	_, err := fmt.Fprintln(out, "Press Ctrl+C to stop.")
	return err
}
