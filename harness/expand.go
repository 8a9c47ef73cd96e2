package harness

import (
	"fmt"
	"net"
	"strings"

	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/harness/stack"
)

// Expand replaces the placeholders features use for values only known at run
// time: {emulator}, {tenant}, {authresp} (the emulator's lowercase OAuth2
// callback without the policy), {authresp.policy} (with it), {facebook},
// {facebook.client_id}, {facebook.secret}, {rp}, {rp.client_id}, {rp.redirect_uri}.
func (w *World) Expand(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	emu := w.Stack.EmulatorURL()
	tenant := strings.ToLower(w.Stack.Settings()["Tenant"])
	r := strings.NewReplacer(
		"{authresp.policy}", emu+"/"+tenant+"/"+strings.ToLower(w.PolicyID)+"/oauth2/authresp",
		"{authresp}", emu+"/"+tenant+"/oauth2/authresp",
		"{emulator}", emu,
		"{tenant}", tenant,
		"{facebook.client_id}", stack.FacebookClientID,
		"{facebook.secret}", w.Stack.FacebookSecret(),
		"{facebook}", w.Stack.FacebookURL(),
		"{rp.client_id}", stack.RelyingPartyClientID,
		"{rp.redirect_uri}", w.Stack.RP.RedirectURI(),
		"{rp}", w.Stack.RPURL(),
	)
	return r.Replace(s)
}

// OverrideSetting reloads the scenario's policy with one {Settings:Name} value changed.
func (w *World) OverrideSetting(name, value string) error {
	if w.policyDir == "" {
		return fmt.Errorf("override setting %s: no policy loaded yet", name)
	}
	if w.overrides == nil {
		w.overrides = policy.Settings{}
	}
	w.overrides[name] = value
	return w.Stack.UsePolicy(w.policyDir, w.overrides)
}

// UnreachableURL is an http URL on a loopback port that nothing listens on:
// connections to it are refused.
func UnreachableURL(path string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a closed port: %w", err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		return "", fmt.Errorf("find a closed port: %w", err)
	}
	return "http://" + addr + path, nil
}
