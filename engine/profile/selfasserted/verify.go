package selfasserted

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/iefconform/iefconform/engine/policy"
	"github.com/iefconform/iefconform/engine/profile"
)

// Email verification texts (spec DIR §2.4; B2C's default strings).
const (
	MsgVerifyIntro       = "Verification is necessary. Please click Send button."
	MsgVerifyInfo        = "Verification code has been sent to your inbox. Please copy it to the input box below."
	MsgVerifySuccess     = "E-mail address verified. You can now continue."
	MsgVerifyRetry       = "That code is incorrect. Please try again."
	MsgVerifyNoRetry     = "You've made too many incorrect attempts. Please try again later."
	MsgVerifyExpired     = "That code is expired. Please request a new code."
	MsgVerifyServer      = "We are having trouble verifying your email address. Please enter a valid email address and try again."
	MsgClaimNotVerified  = "Claim not verified: %s"
	VerificationSubject  = "Your account verification code"
	verificationBodyText = "Thanks for verifying your %s account!\n\nYour code is: %s\n"
)

// Defaults of the verification code (docs/behavior-decisions.md).
const (
	CodeLength   = 6
	CodeLifetime = 5 * time.Minute
	MaxAttempts  = 3
)

// The verification buttons post action={claim}_ver_but_{op}.
const (
	opSend   = "send"
	opResend = "resend"
	opVerify = "verify"
	opEdit   = "edit"
)

type verifySettings struct {
	// enforce is EnforceEmailVerification (default true).
	enforce bool
}

func readVerifySettings(tp *policy.TechnicalProfile) (verifySettings, error) {
	s := verifySettings{enforce: true}
	if profile.MetadataValue(tp, "EnforceEmailVerification") != "" {
		v, err := profile.MetadataBool(tp, "EnforceEmailVerification")
		if err != nil {
			return s, err
		}
		s.enforce = v
	}
	return s, nil
}

// verifyKey is where the journey's data keeps a verification value of claim
// id on profile pid: code, address, expires, tries, verified.
func verifyKey(pid, id, what string) string { return pid + ":verify:" + id + ":" + what }

// verifyAction splits a verification button's action into its claim and
// operation.
func (p *Profile) verifyAction(action string) (claim, op string, ok bool) {
	for _, f := range p.fields {
		if !f.verify || !p.verify.enforce {
			continue
		}
		prefix := f.id + "_ver_but_"
		if strings.HasPrefix(action, prefix) {
			switch op := strings.TrimPrefix(action, prefix); op {
			case opSend, opResend, opVerify, opEdit:
				return f.id, op, true
			}
		}
	}
	return "", "", false
}

// verification is the state of claim id's controls.
func (p *Profile) verification(env *profile.Env, id string) *profile.Verification {
	d := env.Data
	v := &profile.Verification{State: profile.VerifyIntro, MessageID: id + "_intro", Message: MsgVerifyIntro}
	switch {
	case d[verifyKey(p.id, id, "verified")] != "":
		v.State, v.MessageID, v.Message = profile.VerifyVerified, id+"_success", MsgVerifySuccess
	case d[verifyKey(p.id, id, "code")] != "":
		v.State, v.MessageID, v.Message = profile.VerifySent, id+"_info", MsgVerifyInfo
	}
	if m := d[verifyKey(p.id, id, "message")]; m != "" {
		v.MessageID, v.Failed = m, true
		switch strings.TrimPrefix(m, id+"_") {
		case "fail_retry":
			v.Message = MsgVerifyRetry
		case "fail_no_retry":
			v.Message = MsgVerifyNoRetry
		case "fail_code_expired":
			v.Message = MsgVerifyExpired
		default:
			v.Message = MsgVerifyServer
		}
	}
	return v
}

// verifyStep carries out a verification button and shows the page again
// (a *profile.FormError without field messages, or with the address's).
func (p *Profile) verifyStep(ctx context.Context, env *profile.Env, id, op string, values url.Values) error {
	if env.Data == nil {
		return fmt.Errorf("verify %s: the journey has no data store", id)
	}
	key := func(what string) string { return verifyKey(p.id, id, what) }
	delete(env.Data, key("message"))
	again := &profile.FormError{Fields: map[string]string{}}
	switch op {
	case opEdit:
		for _, w := range []string{"code", "address", "expires", "tries", "verified"} {
			delete(env.Data, key(w))
		}
		return again
	case opSend, opResend:
		addr := strings.TrimSpace(values.Get(id))
		msg, err := p.check(id, addr, true, now(env))
		if err != nil {
			return err
		}
		if msg != "" {
			again.Fields[id] = msg
			return again
		}
		if env.Mail == nil {
			env.Data[key("message")] = id + "_fail_server"
			return again
		}
		code, err := newCode()
		if err != nil {
			return err
		}
		tenant := strings.TrimSuffix(env.Tenant, ".onmicrosoft.com")
		if err := env.Mail.SendMail(ctx, addr, VerificationSubject, fmt.Sprintf(verificationBodyText, tenant, code)); err != nil {
			env.Data[key("message")] = id + "_fail_server"
			return again
		}
		env.Data[key("code")] = code
		env.Data[key("address")] = addr
		env.Data[key("expires")] = strconv.FormatInt(now(env).Add(CodeLifetime).Unix(), 10)
		env.Data[key("tries")] = "0"
		delete(env.Data, key("verified"))
		env.Claims.Set(id, addr)
		return again
	}
	// opVerify
	code := env.Data[key("code")]
	if code == "" {
		return again
	}
	tries, _ := strconv.Atoi(env.Data[key("tries")])
	expires, _ := strconv.ParseInt(env.Data[key("expires")], 10, 64)
	switch {
	case tries >= MaxAttempts:
		env.Data[key("message")] = id + "_fail_no_retry"
	case now(env).Unix() > expires:
		env.Data[key("message")] = id + "_fail_code_expired"
	case strings.TrimSpace(values.Get(id+"_ver_input")) != code:
		tries++
		env.Data[key("tries")] = strconv.Itoa(tries)
		env.Data[key("message")] = id + "_fail_retry"
		if tries >= MaxAttempts {
			env.Data[key("message")] = id + "_fail_no_retry"
		}
	default:
		env.Data[key("verified")] = env.Data[key("address")]
		delete(env.Data, key("code"))
		env.Claims.Set(id, env.Data[key("address")])
	}
	return again
}

// checkVerified fails with "Claim not verified" when a claim that needs
// verification holds a value that was not verified.
func (p *Profile) checkVerified(env *profile.Env) error {
	if !p.verify.enforce {
		return nil
	}
	for _, f := range p.fields {
		if !f.verify {
			continue
		}
		v, _ := env.Claims.Get(f.id)
		if v == "" || env.Data == nil || env.Data[verifyKey(p.id, f.id, "verified")] != v {
			return &profile.UserError{UserMessage: fmt.Sprintf(MsgClaimNotVerified, p.label(f.id)), ProfileID: p.id}
		}
	}
	return nil
}

// newCode is a random code of CodeLength digits.
func newCode() (string, error) {
	max := big.NewInt(1)
	for range CodeLength {
		max.Mul(max, big.NewInt(10))
	}
	n, err := rand.Int(rand.Reader, max)
	if err != nil {
		return "", fmt.Errorf("verification code: %w", err)
	}
	return fmt.Sprintf("%0*d", CodeLength, n), nil
}
