package harness

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/harness/stack"
)

// Expand replaces the placeholders features use for values only known at run
// time: {emulator}, {tenant}, {policy} (the lowercase policy id), {authresp}
// (the emulator's lowercase OAuth2 callback without the policy),
// {authresp.policy} (with it), {logout}, {signed-out}, {rp}, {rp.client_id},
// {rp.redirect_uri}, and for each identity provider N (facebook, linkedin,
// contoso): {N}, {N.client_id}, {N.secret}, {N.token_endpoint}.
func (w *World) Expand(s string) string {
	if !strings.Contains(s, "{") {
		return s
	}
	emu := w.Stack.EmulatorURL()
	tenant := strings.ToLower(w.Stack.Settings()["Tenant"])
	pol := strings.ToLower(w.PolicyID)
	pairs := []string{
		"{authresp.policy}", emu + "/" + tenant + "/" + pol + "/oauth2/authresp",
		"{authresp}", emu + "/" + tenant + "/oauth2/authresp",
		"{oauth1.callback}", emu + "/" + tenant + "/" + pol + "/oauth1/authresp",
		"{twitter.consumer_key}", stack.TwitterConsumerKey,
		"{twitter}", w.Stack.TwitterURL(),
		"{logout}", emu + "/" + tenant + "/" + pol + "/oauth2/v2.0/logout",
		"{signed-out}", w.Stack.SignedOutURL(),
		"{emulator}", emu,
		"{tenant}", tenant,
		"{policy}", pol,
		"{rp.client_id}", stack.RelyingPartyClientID,
		"{rp.redirect_uri}", w.Stack.RP.RedirectURI(),
		"{rp}", w.Stack.RPURL(),
		"{rest.untrusted}", w.Stack.Settings()["RestApiUntrustedUrl"],
		"{rest}", w.Stack.RESTURL(),
	}
	for _, name := range []string{stack.PartyFacebook, stack.PartyLinkedIn, stack.PartyContoso} {
		idp, _ := w.Stack.IdP(name)
		pairs = append(pairs,
			"{"+name+".client_id}", idp.ClientID,
			"{"+name+".secret}", idp.Secret,
			"{"+name+".token_endpoint}", idp.URL+"/token",
			"{"+name+"}", idp.URL)
	}
	return strings.NewReplacer(pairs...).Replace(s)
}

// OverrideSetting changes one {Settings:Name} value of the scenario's policy.
// Like the other policy changes it takes effect when the sign-in starts, so
// several Given steps can build one consistent policy.
func (w *World) OverrideSetting(name, value string) error {
	if w.policyDir == "" {
		return fmt.Errorf("override setting %s: no policy chosen yet", name)
	}
	if w.policyOpts.Settings == nil {
		w.policyOpts.Settings = policy.Settings{}
	}
	w.policyOpts.Settings[name] = value
	w.dirty = true
	return nil
}

// PatchProfile restates a technical-profile fragment in the relying-party
// files: its metadata items and cryptographic keys merge over the profile's
// own (see policy.Set.Patch). Fragments for the same profile accumulate.
func (w *World) PatchProfile(fragment policy.TechnicalProfile) error {
	if w.policyDir == "" {
		return fmt.Errorf("patch technical profile %s: no policy chosen yet", fragment.ID)
	}
	for i := range w.policyOpts.Patches {
		p := &w.policyOpts.Patches[i]
		if p.ID == fragment.ID {
			p.Metadata = append(p.Metadata, fragment.Metadata...)
			p.CryptographicKeys = append(p.CryptographicKeys, fragment.CryptographicKeys...)
			p.InputClaims = append(p.InputClaims, fragment.InputClaims...)
			p.InputClaimsTransformations = append(p.InputClaimsTransformations, fragment.InputClaimsTransformations...)
			p.ValidationTechnicalProfiles = append(p.ValidationTechnicalProfiles, fragment.ValidationTechnicalProfiles...)
			w.dirty = true
			return nil
		}
	}
	w.policyOpts.Patches = append(w.policyOpts.Patches, fragment)
	w.dirty = true
	return nil
}

// SetPartyTimeout has the emulator give parties d to answer.
func (w *World) SetPartyTimeout(d time.Duration) error {
	w.policyOpts.PartyTimeout = d
	w.dirty = true
	return nil
}

// SetRESTTimeout has the emulator give each REST attempt d.
func (w *World) SetRESTTimeout(d time.Duration) error {
	w.policyOpts.RESTTimeout = d
	w.dirty = true
	return nil
}

// applyPolicy reloads the policy when Given steps changed it since the last load.
func (w *World) applyPolicy() error {
	if !w.dirty {
		return nil
	}
	if err := w.Stack.Load(w.policyDir, w.policyOpts); err != nil {
		return fmt.Errorf("the scenario's policy changes do not load: %w", err)
	}
	w.dirty = false
	return nil
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

// PublicKeyPEM encodes the public half of key as a PEM "PUBLIC KEY" block, the
// form identity providers register a client's private_key_jwt key in.
func PublicKeyPEM(key *rsa.PrivateKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return "", fmt.Errorf("encode public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// PatchMetadata restates metadata items of a technical profile (key, value pairs).
func (w *World) PatchMetadata(tpID string, items [][2]string) error {
	frag := policy.TechnicalProfile{ID: tpID}
	for _, it := range items {
		frag.Metadata = append(frag.Metadata, policy.Item{Key: it[0], Value: w.Expand(it[1])})
	}
	return w.PatchProfile(frag)
}

// PatchKey gives a technical profile a cryptographic key from a policy key container.
func (w *World) PatchKey(tpID, keyID, container string) error {
	return w.PatchProfile(policy.TechnicalProfile{ID: tpID, CryptographicKeys: []policy.Key{{ID: keyID, StorageReferenceID: container}}})
}

// PatchInputClaim adds an input claim to a technical profile.
func (w *World) PatchInputClaim(tpID, claim string) error {
	return w.PatchProfile(policy.TechnicalProfile{ID: tpID, InputClaims: []policy.ClaimRef{{ClaimTypeReferenceID: claim}}})
}

// PatchInputTransformation has a technical profile run a claims transformation first.
func (w *World) PatchInputTransformation(tpID, transformation string) error {
	return w.PatchProfile(policy.TechnicalProfile{ID: tpID, InputClaimsTransformations: []policy.TransformationRef{{ReferenceID: transformation}}})
}

// PatchContinueOnError marks a validation technical profile of a self-asserted
// profile ContinueOnError.
func (w *World) PatchContinueOnError(tpID, validationProfile string) error {
	yes := true
	return w.PatchProfile(policy.TechnicalProfile{ID: tpID, ValidationTechnicalProfiles: []policy.ValidationTechnicalProfile{{ReferenceID: validationProfile, ContinueOnError: &yes}}})
}
