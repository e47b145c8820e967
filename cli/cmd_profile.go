package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

// The Profile screen: a member's own name, password, two-factor
// authentication, recovery codes and SSH keys. These are the signed-in
// member's own, so they run over SSH as that member (the model refuses the
// operating-system user and connections, who have no profile); resetting
// another member's 2FA and their keys is for whoever may update them.

func init() {
	register(&command{
		name: "profile show", args: "[--json]",
		summary: "Show your profile: name, email, role, two-factor authentication, recovery codes left and SSH keys.",
		example: "gatehouse profile show",
		flags:   func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") },
		run:     profileShow,
	})
	register(&command{
		name: "profile set-name", args: "NAME",
		summary: "Change your display name.",
		example: `gatehouse profile set-name "Sara Lindqvist-Berg"`,
		run:     profileSetName,
	})
	register(&command{
		name: "profile password", args: "[--password-stdin]",
		summary: "Change your password: the current one, then the new one. On a terminal it asks with echo off;\n" +
			"with --password-stdin (over SSH, from a script) it reads them from standard input, one a line.\n" +
			"A wrong current password counts toward the sign-in lockout.",
		example: `printf '%s\n%s\n' "$CURRENT" "$NEW" | gatehouse profile password --password-stdin`,
		flags: func(fs *flag.FlagSet) {
			fs.Bool("password-stdin", false, "read the current and the new password from standard input, one a line")
		},
		run: profilePassword,
	})
	register(&command{
		name: "totp enrol", args: "[--secret SECRET --code CODE]",
		summary: "Set up two-factor authentication in two steps: without flags it prints a new secret and its otpauth://\n" +
			"URI for an authenticator app (nothing is stored yet); then --secret with a --code from the app turns\n" +
			"it on and prints your recovery codes, once.",
		example: "gatehouse totp enrol\ngatehouse totp enrol --secret JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP --code 123456",
		flags: func(fs *flag.FlagSet) {
			fs.String("secret", "", "the `secret` the first step printed")
			fs.String("code", "", "a 6-digit `code` from the authenticator app")
			fs.Bool("json", false, "print JSON")
		},
		run: totpEnrol,
	})
	register(&command{
		name: "totp reset", args: "[--staff EMAIL]",
		summary: "Turn two-factor authentication off and drop the recovery codes: your own, or (--staff) a member's\n" +
			"you may update, who lost their phone. If the organisation requires 2FA they set it up again at sign-in.",
		example: "gatehouse totp reset --staff hannah.cole@northwind.example",
		flags:   func(fs *flag.FlagSet) { fs.String("staff", "", "the member, if not yourself (`email`)") },
		run:     totpReset,
	})
	register(&command{
		name: "recovery-codes regenerate", args: "[--json]",
		summary: "Make new recovery codes, printed once; your current ones stop working at once.",
		example: "gatehouse recovery-codes regenerate",
		flags:   func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") },
		run:     recoveryRegenerate,
	})
	register(&command{
		name: "keys list", args: "EMAIL [--json]",
		summary: "List a member's SSH keys: your own, or those of a member you may see.",
		example: "gatehouse keys list sara.lindqvist@northwind.example",
		flags:   func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") },
		run:     keysList,
	})
	register(&command{
		name: "keys remove", args: "EMAIL KEY",
		summary: "Remove one of a member's SSH keys (yours, or a member's you may update): sign-ins with it stop at once.\n" +
			"KEY is its fingerprint (SHA256:…) or its id, as 'keys list' shows them.",
		example: "gatehouse keys remove sara.lindqvist@northwind.example SHA256:tKFvvQMzu/qhSJusIexjTqnVSo9MCE1PgwLHgKElcs0",
		run:     keysRemove,
	})
}

// self is the signed-in member's id, or a refusal for one who has no
// profile here (the operating-system user, a connection), saying what to
// do instead.
func (a *app) self(what string) (int64, error) {
	if a.principal.Kind == model.KindMember {
		return a.principal.StaffID, nil
	}
	return 0, lineError{fmt.Sprintf("%s is a member's own: you are working as %s, who has no profile; run it over SSH as the member",
		what, Sanitize(a.principal.Label)), exitFail}
}

// profileJSON is 'profile show --json'.
type profileJSON struct {
	memberJSON
	RecoveryCodesLeft int       `json:"recovery_codes_left"`
	SSHKeys           []keyJSON `json:"ssh_keys"`
}

// keyJSON is an SSH key as --json prints it.
type keyJSON struct {
	ID          int64  `json:"id"`
	Fingerprint string `json:"fingerprint"`
	Comment     string `json:"comment,omitempty"`
	Added       string `json:"added"`
	LastUsed    string `json:"last_used,omitempty"`
}

func toKeysJSON(keys []model.SSHKey) []keyJSON {
	out := []keyJSON{}
	for _, k := range keys {
		out = append(out, keyJSON{ID: k.ID, Fingerprint: k.Fingerprint, Comment: k.Comment, Added: timeText(k.CreatedAt), LastUsed: timeText(k.LastUsed)})
	}
	return out
}

func profileShow(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	id, err := a.self("a profile")
	if err != nil {
		return err
	}
	me, err := svc.GetMember(ctx, a.actor(), id)
	if err != nil {
		return err
	}
	left, err := svc.RecoveryCodesLeft(ctx, a.actor())
	if err != nil {
		return err
	}
	keys, err := svc.ListSSHKeys(ctx, a.actor(), id)
	if err != nil {
		return err
	}
	out := profileJSON{memberJSON: toMemberJSON(me), RecoveryCodesLeft: left, SSHKeys: toKeysJSON(keys)}
	if flagBool(fs, "json") {
		return writeJSON(a.stdout, out)
	}
	twoFA := "off"
	if me.TOTPEnabled {
		twoFA = fmt.Sprintf("on, %d recovery codes left", left)
	}
	t := newTable(a.stdout, "name", me.Name)
	t.row("email", me.Email)
	t.row("role", me.RoleName)
	t.row("2FA", twoFA)
	t.row("SSH keys", fmt.Sprint(len(keys)))
	t.flush()
	writeKeys(a, keys)
	return nil
}

func writeKeys(a *app, keys []model.SSHKey) {
	if len(keys) == 0 {
		return
	}
	t := newTable(a.stdout, "ID", "FINGERPRINT", "COMMENT", "ADDED", "LAST USED")
	for _, k := range keys {
		t.row(fmt.Sprint(k.ID), k.Fingerprint, k.Comment, shortTime(k.CreatedAt), shortTime(k.LastUsed))
	}
	t.flush()
}

func profileSetName(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "NAME"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	if err := svc.RenameSelf(ctx, a.actor(), args[0]); err != nil {
		return err
	}
	if a.principal.Kind == model.KindMember {
		a.noteID("member", a.principal.StaffID)
	}
	fmt.Fprintf(a.stdout, "Your name is now %s.\n", Sanitize(strings.TrimSpace(args[0])))
	return nil
}

// maxSecretLine bounds a line of standard input read as a password.
const maxSecretLine = 1024

// lineReader reads a password a line from input: "\n", "\r\n" or "\r"
// (what a terminal's Enter sends over SSH) ends one.
type lineReader struct{ r *bufio.Reader }

func (l lineReader) next(what string) (string, error) {
	var b strings.Builder
	for {
		c, err := l.r.ReadByte()
		switch {
		case err == io.EOF && b.Len() > 0:
			return b.String(), nil
		case err == io.EOF:
			return "", usagef("no %s on standard input: give the current and the new password, one a line", what)
		case err != nil:
			return "", fmt.Errorf("read %s: %w", what, err)
		case c == '\r':
			if next, err := l.r.Peek(1); err == nil && next[0] == '\n' {
				l.r.ReadByte()
			}
			return b.String(), nil
		case c == '\n':
			return b.String(), nil
		}
		if b.Len() >= maxSecretLine {
			return "", usagef("the %s on standard input is over %d bytes", what, maxSecretLine)
		}
		b.WriteByte(c)
	}
}

func profilePassword(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	if a.principal.Kind != model.KindMember {
		// Asked with nothing to change, the model refuses one who has no
		// password of their own here (the operating-system user, a
		// connection) with its own reason, before anything is read.
		return svc.ChangePassword(ctx, a.actor(), "", "")
	}
	current, next, err := a.readPasswords(flagBool(fs, "password-stdin"))
	if err != nil {
		return err
	}
	if err := svc.ChangePassword(ctx, a.actor(), current, next); err != nil {
		return err
	}
	a.noteID("member", a.principal.StaffID)
	fmt.Fprintln(a.stdout, "Your password was changed.")
	return nil
}

// readPasswords asks for the current and the new password: with fromInput
// a line each from standard input (over SSH, the session's), otherwise on
// a local terminal with echo off, the new one twice.
func (a *app) readPasswords(fromInput bool) (string, string, error) {
	if !fromInput {
		if a.remote || !isTerminal(a.stdin) {
			return "", "", usagef("not on a terminal: give the current and the new password on standard input, one a line, with --password-stdin")
		}
		p := &prompter{in: bufio.NewReader(a.stdin), fd: a.stdin.Fd(), out: a.stdout}
		current, err := p.secret("Current password")
		if err != nil {
			return "", "", err
		}
		fmt.Fprintln(a.stdout, "New password.")
		next, err := askNewPassword(p, a.stdout)
		return current, next, err
	}
	if a.input == nil {
		return "", "", usagef("--password-stdin: there is no standard input to read")
	}
	lr := lineReader{bufio.NewReader(a.input)}
	current, err := lr.next("current password")
	if err != nil {
		return "", "", err
	}
	next, err := lr.next("new password")
	return current, next, err
}

// totpJSON is what 'totp enrol --json' prints: the secret to add to an
// app, or, once confirmed, the recovery codes.
type totpJSON struct {
	Secret        string   `json:"secret,omitempty"`
	URI           string   `json:"otpauth_uri,omitempty"`
	Issuer        string   `json:"issuer,omitempty"`
	Account       string   `json:"account,omitempty"`
	Enabled       bool     `json:"enabled"`
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
}

func totpEnrol(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	secret, code := flagString(fs, "secret"), flagString(fs, "code")
	if (secret == "") != (code == "") {
		return usagef("give --secret and --code together: the secret the first step printed and a code the app makes from it")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	if secret == "" {
		e, err := svc.BeginTOTP(ctx, a.actor())
		if err != nil {
			return err
		}
		if flagBool(fs, "json") {
			return writeJSON(a.stdout, totpJSON{Secret: e.Secret, URI: e.URL, Issuer: e.Issuer, Account: e.Account})
		}
		fmt.Fprintf(a.stdout, "Add this secret to an authenticator app (nothing is stored yet):\n  Secret   %s\n  URI      %s\n  Account  %s · %s\n",
			e.Secret, Sanitize(e.URL), Sanitize(e.Account), Sanitize(e.Issuer))
		fmt.Fprintf(a.stdout, "Then turn it on with a code from the app:\n  gatehouse totp enrol --secret %s --code CODE\n", e.Secret)
		return nil
	}
	codes, err := svc.ConfirmTOTP(ctx, a.actor(), secret, code)
	if err != nil {
		return err
	}
	a.noteID("member", a.principal.StaffID)
	if flagBool(fs, "json") {
		return writeJSON(a.stdout, totpJSON{Enabled: true, RecoveryCodes: codes})
	}
	fmt.Fprintln(a.stdout, "Two-factor authentication is on.")
	printRecoveryCodes(a, codes)
	return nil
}

func printRecoveryCodes(a *app, codes []string) {
	fmt.Fprintln(a.stdout, "Your recovery codes; each signs you in once without the app. Keep them safe: they are shown only now.")
	for _, c := range codes {
		fmt.Fprintf(a.stdout, "  %s\n", c)
	}
}

func totpReset(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	var who string
	var id int64
	if email := flagString(fs, "staff"); email != "" {
		m, err := memberArg(ctx, a, email)
		if err != nil {
			return err
		}
		id, who = m.ID, m.Name+" <"+m.Email+">"
	} else if id, err = a.self("your own two-factor authentication"); err != nil {
		return err
	}
	if err := svc.ResetTOTP(ctx, a.actor(), id); err != nil {
		return err
	}
	a.noteID("member", id)
	if who == "" {
		fmt.Fprintln(a.stdout, "Two-factor authentication is off; your recovery codes no longer work.")
		return nil
	}
	fmt.Fprintf(a.stdout, "Two-factor authentication of %s is off; their recovery codes no longer work.\n", Sanitize(who))
	return nil
}

func recoveryRegenerate(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	codes, err := svc.RegenerateRecoveryCodes(ctx, a.actor())
	if err != nil {
		return err
	}
	if flagBool(fs, "json") {
		return writeJSON(a.stdout, totpJSON{Enabled: true, RecoveryCodes: codes})
	}
	fmt.Fprintln(a.stdout, "New recovery codes made; the old ones no longer work.")
	printRecoveryCodes(a, codes)
	return nil
}

func keysList(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "EMAIL"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	m, err := memberArg(ctx, a, args[0])
	if err != nil {
		return err
	}
	keys, err := svc.ListSSHKeys(ctx, a.actor(), m.ID)
	if err != nil {
		return err
	}
	if flagBool(fs, "json") {
		return writeJSON(a.stdout, toKeysJSON(keys))
	}
	writeKeys(a, keys)
	fmt.Fprintf(a.stdout, "%d key(s)\n", len(keys))
	return nil
}

func keysRemove(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "EMAIL", "KEY"); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	m, err := memberArg(ctx, a, args[0])
	if err != nil {
		return err
	}
	keys, err := svc.ListSSHKeys(ctx, a.actor(), m.ID)
	if err != nil {
		return err
	}
	want := strings.TrimSpace(args[1])
	id, byID := strconv.ParseInt(want, 10, 64)
	for _, k := range keys {
		if (byID == nil && k.ID == id) || k.Fingerprint == want {
			if err := svc.RemoveSSHKey(ctx, a.actor(), m.ID, k.ID); err != nil {
				return err
			}
			a.noteID("ssh-key", k.ID)
			a.noteID("member", m.ID)
			fmt.Fprintf(a.stdout, "SSH key %s of %s removed; sign-ins with it stop at once.\n", k.Fingerprint, Sanitize(m.Email))
			return nil
		}
	}
	return fmt.Errorf("%w: %s has no SSH key %q ('gatehouse keys list %s' shows them)", model.ErrNotFound, Sanitize(m.Email), Sanitize(want), Sanitize(m.Email))
}
