package screens

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"gatehouse/keymap"
	"gatehouse/model"
)

// profileScreen is the signed-in member's own page: name, password, 2FA,
// recovery codes and SSH keys.
type profileScreen struct {
	sess   *Session
	keys   keymap.Profile
	width  int
	height int

	loaded  bool
	loadErr string
	me      model.Member
	left    int // unused recovery codes
	sshKeys []model.SSHKey
	keyIdx  int

	dialog Dialog
}

type (
	profileMsg struct {
		me   model.Member
		left int
		keys []model.SSHKey
		err  error
	}
	totpBeginMsg struct {
		enrol model.TOTPEnrolment
		err   error
	}
)

// NewProfile returns the Profile screen.
func NewProfile(sess *Session) Screen {
	return &profileScreen{sess: sess, keys: keymap.DefaultProfile(), width: 80, height: 24}
}

func (s *profileScreen) Title() string                           { return "Profile" }
func (s *profileScreen) Init() tea.Cmd                           { return s.load() }
func (s *profileScreen) SetSize(w, h int)                        { s.width, s.height = w, h }
func (s *profileScreen) Capturing() bool                         { return s.dialog != nil }
func (s *profileScreen) isMember() bool                          { return s.sess.Principal.Kind == model.KindMember }
func (s *profileScreen) selfID() int64                           { return s.sess.Principal.StaffID }
func (s *profileScreen) svcP() (*model.Service, model.Principal) { return s.sess.Svc, s.sess.Principal }

func (s *profileScreen) load() tea.Cmd {
	if !s.isMember() {
		return nil
	}
	svc, p, id := s.sess.Svc, s.sess.Principal, s.selfID()
	return func() tea.Msg {
		me, err := svc.GetMember(s.sess.Context(), p, id)
		if err != nil {
			return profileMsg{err: err}
		}
		left, err := svc.RecoveryCodesLeft(s.sess.Context(), p)
		if err != nil {
			return profileMsg{err: err}
		}
		keys, err := svc.ListSSHKeys(s.sess.Context(), p, id)
		return profileMsg{me: me, left: left, keys: keys, err: err}
	}
}

func (s *profileScreen) Update(msg tea.Msg) (Screen, tea.Cmd) {
	switch msg := msg.(type) {
	case profileMsg:
		s.loaded = true
		if msg.err != nil {
			s.loadErr = errText(msg.err)
			return s, nil
		}
		s.loadErr = ""
		s.me, s.left, s.sshKeys = msg.me, msg.left, msg.keys
		s.keyIdx = min(s.keyIdx, max(len(s.sshKeys)-1, 0))
		return s, nil
	case totpBeginMsg:
		if msg.err != nil {
			return s, Status(errText(msg.err), true)
		}
		s.dialog = s.enrolDialog(msg.enrol)
		return s, nil
	case RefreshMsg:
		return s, s.load()
	case ActionMsg:
		var cmd tea.Cmd
		s.dialog, cmd = HandleAction(s.dialog, msg)
		if msg.Err != nil {
			return s, cmd
		}
		return s, tea.Batch(cmd, s.load())
	}
	if s.dialog != nil {
		var cmd tea.Cmd
		s.dialog, cmd = s.dialog.Update(msg)
		return s, cmd
	}
	km, ok := msg.(tea.KeyMsg)
	if !ok || !s.isMember() || !s.loaded || s.loadErr != "" {
		return s, nil
	}
	return s, s.updateKey(km)
}

func (s *profileScreen) updateKey(km tea.KeyMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(km, k.NextKey):
		s.keyIdx = min(s.keyIdx+1, max(len(s.sshKeys)-1, 0))
	case key.Matches(km, k.PreviousKey):
		s.keyIdx = max(s.keyIdx-1, 0)
	case key.Matches(km, k.EditName):
		s.dialog = s.nameDialog()
	case key.Matches(km, k.Password):
		s.dialog = s.passwordDialog()
	case key.Matches(km, k.EnrolTOTP) && !s.me.TOTPEnabled:
		svc, p := s.svcP()
		return func() tea.Msg {
			e, err := svc.BeginTOTP(s.sess.Context(), p)
			return totpBeginMsg{enrol: e, err: err}
		}
	case key.Matches(km, k.ResetTOTP) && s.me.TOTPEnabled:
		s.dialog = s.resetTOTPDialog()
	case key.Matches(km, k.Recovery) && s.me.TOTPEnabled:
		s.dialog = s.recoveryDialog()
	case key.Matches(km, k.AddKey):
		s.dialog = s.addKeyDialog()
	case key.Matches(km, k.RemoveKey) && len(s.sshKeys) > 0:
		s.dialog = s.removeKeyDialog(s.sshKeys[s.keyIdx])
	}
	return nil
}

func (s *profileScreen) nameDialog() Dialog {
	svc, p := s.svcP()
	f := NewForm(s.sess.Theme, "Your name",
		Field{Key: "name", Label: "Name", Value: s.me.Name, Required: true, CharLimit: model.MaxNameLen,
			Validate: func(v string) error { _, err := model.CleanName("name", v); return err }})
	return &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		name := f.Value("name")
		return nil, act("Your name is now "+model.Sanitize(strings.TrimSpace(name)), nil, func() error { return svc.RenameSelf(s.sess.Context(), p, name) })
	}}
}

func (s *profileScreen) passwordDialog() Dialog {
	svc, p := s.svcP()
	f := NewForm(s.sess.Theme, "Change your password",
		Field{Key: "old", Label: "Current password", Kind: PasswordField, Required: true},
		Field{Key: "new", Label: "New password", Kind: PasswordField, Required: true, Validate: model.CheckPasswordStrength},
		Field{Key: "again", Label: "New password again", Kind: PasswordField, Required: true},
	)
	return &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		old, nw := f.Value("old"), f.Value("new")
		if nw != f.Value("again") {
			f.SetError("The two new passwords differ; type the same one twice.")
			return nil, nil
		}
		return nil, act("Your password was changed", nil, func() error { return svc.ChangePassword(s.sess.Context(), p, old, nw) })
	}}
}

// enrolDialog shows the new secret as a QR code (when it fits) and as
// text, and asks for a code from the app to confirm it.
func (s *profileScreen) enrolDialog(e model.TOTPEnrolment) Dialog {
	th := s.sess.Theme
	svc, p := s.svcP()
	var intro strings.Builder
	intro.WriteString("Scan the code with an authenticator app, or type the secret into it.\n\n")
	if lines, err := QRLines(CompactOTPURL(e.URL)); err == nil && len(lines)+11 <= s.height && model.DisplayWidth(lines[0]) <= s.width {
		for _, l := range lines {
			intro.WriteString(th.QR.Render(l) + "\n")
		}
		intro.WriteString("\n")
	} else {
		intro.WriteString(th.Muted.Render("(a larger terminal shows a QR code here)") + "\n")
	}
	intro.WriteString("Secret  " + th.Secret.Render(groupFours(e.Secret)) + "\n")
	intro.WriteString("Account " + model.Sanitize(e.Account) + " · " + model.Sanitize(e.Issuer))
	f := NewForm(th, "Set up two-factor authentication",
		Field{Key: "code", Label: "6-digit code from the app", Required: true, CharLimit: 6})
	f.Intro = intro.String()
	return &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		code := strings.TrimSpace(f.Value("code"))
		return nil, func() tea.Msg {
			codes, err := svc.ConfirmTOTP(s.sess.Context(), p, e.Secret, code)
			if err != nil {
				return ActionMsg{Err: err}
			}
			return ActionMsg{Status: "Two-factor authentication is on",
				Next: &ResultDialog{Theme: th, Title: "Two-factor authentication is on", Body: recoveryText(s, codes)}}
		}
	}}
}

// groupFours splits a secret into groups of four for reading aloud or
// typing by hand.
func groupFours(secret string) string {
	var parts []string
	for i := 0; i < len(secret); i += 4 {
		parts = append(parts, secret[i:min(i+4, len(secret))])
	}
	return strings.Join(parts, " ")
}

func recoveryText(s *profileScreen, codes []string) string {
	th := s.sess.Theme
	var b strings.Builder
	b.WriteString("Your recovery codes. Each signs you in once without the app. Keep them somewhere safe:\n")
	b.WriteString("they are shown only now.\n\n")
	for _, c := range codes {
		b.WriteString("  " + th.Secret.Render(c) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *profileScreen) resetTOTPDialog() Dialog {
	svc, p := s.svcP()
	id := s.selfID()
	body := "Two-factor authentication is turned off and your recovery codes stop working."
	if s.sess.Org.Require2FA {
		body += " The organisation requires 2FA: you will set it up again at your next sign-in."
	}
	return &ConfirmDialog{Theme: s.sess.Theme, Confirm: Confirm{Title: "Reset two-factor authentication?", Body: body, Yes: "reset", Danger: true},
		OnYes: func() tea.Cmd {
			return act("Two-factor authentication is off", nil, func() error { return svc.ResetTOTP(s.sess.Context(), p, id) })
		}}
}

func (s *profileScreen) recoveryDialog() Dialog {
	svc, p := s.svcP()
	th := s.sess.Theme
	return &ConfirmDialog{Theme: th, Confirm: Confirm{Title: "Make new recovery codes?",
		Body: "Your current recovery codes stop working at once and new ones are shown, once.", Yes: "make new codes", Default: true},
		OnYes: func() tea.Cmd {
			return func() tea.Msg {
				codes, err := svc.RegenerateRecoveryCodes(s.sess.Context(), p)
				if err != nil {
					return ActionMsg{Err: err}
				}
				return ActionMsg{Status: "New recovery codes made", Next: &ResultDialog{Theme: th, Title: "New recovery codes", Body: recoveryText(s, codes)}}
			}
		}}
}

func (s *profileScreen) addKeyDialog() Dialog {
	svc, p := s.svcP()
	id := s.selfID()
	f := NewForm(s.sess.Theme, "Add an SSH key",
		Field{Key: "line", Label: "Public key", Required: true, CharLimit: 16000, Placeholder: "ssh-ed25519 AAAA… you@laptop",
			Hint:     "paste one line of ~/.ssh/id_ed25519.pub (or another .pub file)",
			Validate: func(v string) error { _, err := model.ParseSSHKey(v); return err }})
	f.Intro = "With a registered key you sign in over SSH without your password; your 2FA code is still asked for."
	return &FormDialog{Form: f, OnSubmit: func(f *Form) (Dialog, tea.Cmd) {
		line := f.Value("line")
		return nil, func() tea.Msg {
			k, err := svc.AddSSHKey(s.sess.Context(), p, id, line)
			if err != nil {
				return ActionMsg{Err: err}
			}
			return ActionMsg{Status: "SSH key " + k.Fingerprint + " added"}
		}
	}}
}

func (s *profileScreen) removeKeyDialog(k model.SSHKey) Dialog {
	svc, p := s.svcP()
	id := s.selfID()
	label := k.Fingerprint
	if k.Comment != "" {
		label += " (" + model.Sanitize(k.Comment) + ")"
	}
	return &ConfirmDialog{Theme: s.sess.Theme, Confirm: Confirm{Title: "Remove SSH key " + label + "?",
		Body: "Sign-ins with this key stop at once.", Yes: "remove", Danger: true},
		OnYes: func() tea.Cmd {
			return act("SSH key "+k.Fingerprint+" removed", nil, func() error { return svc.RemoveSSHKey(s.sess.Context(), p, id, k.ID) })
		}}
}

func (s *profileScreen) View() string {
	if s.dialog != nil {
		return s.dialog.View(s.width, s.height)
	}
	th := s.sess.Theme
	switch {
	case !s.isMember():
		return th.Title.Render("Profile") + "\n\n" + th.Muted.Render("You are working as the local user "+model.Sanitize(s.sess.Principal.Label)+", who has no profile.")
	case !s.loaded:
		return th.Title.Render("Profile") + "\n\n" + th.Muted.Render("Loading…")
	case s.loadErr != "":
		return th.Title.Render("Profile") + "\n\n" + th.Error.Render(s.loadErr)
	}
	m := s.me
	row := func(label, value, keys string) string {
		line := "  " + th.Label.Render(fmt.Sprintf("%-10s", label)) + " " + cell(value, min(max(s.width-36, 12), 44))
		if keys != "" {
			line += "  " + th.Muted.Render(keys)
		}
		return line + "\n"
	}
	var b strings.Builder
	b.WriteString(th.Title.Render("Profile") + "\n\n")
	k := s.keys
	b.WriteString(row("Name", model.Sanitize(m.Name), hintLine(withDesc(k.EditName, "edit"))))
	b.WriteString(row("Email", model.Sanitize(m.Email), ""))
	b.WriteString(row("Role", model.Sanitize(m.RoleName), ""))
	b.WriteString(row("Password", "••••••••", hintLine(withDesc(k.Password, "change"))))
	if m.TOTPEnabled {
		b.WriteString(row("2FA", fmt.Sprintf("on · %d recovery codes left", s.left), hintLine(withDesc(k.ResetTOTP, "reset"), withDesc(k.Recovery, "new codes"))))
	} else {
		state := "off"
		if s.sess.Org.Require2FA {
			state = "off — required by the organisation"
		}
		b.WriteString(row("2FA", state, hintLine(withDesc(k.EnrolTOTP, "set up"))))
	}
	b.WriteString("\n" + th.Header.Render(fmt.Sprintf("SSH keys (%d)", len(s.sshKeys))) + "  " + th.Muted.Render(hintLine(withDesc(k.AddKey, "add"), withDesc(k.RemoveKey, "remove"))) + "\n")
	if len(s.sshKeys) == 0 {
		b.WriteString(th.Muted.Render("  None. Add one to sign in over SSH without your password.") + "\n")
	}
	now := s.sess.Svc.Now()
	room := max(s.height-11, 1) // lines left under the fields
	first := max(0, s.keyIdx-room+1)
	for i, k := range s.sshKeys {
		if i < first || i >= first+room {
			continue
		}
		line := fmt.Sprintf("%s  %s  added %s  used %s", k.Fingerprint, model.Sanitize(k.Comment), k.CreatedAt.Format("2 Jan 2006"), agoText(now, k.LastUsed))
		line = cell(line, max(s.width-2, 10))
		if i == s.keyIdx {
			b.WriteString(th.Selected.Render("› "+line) + "\n")
		} else {
			b.WriteString("  " + line + "\n")
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

func (s *profileScreen) ShortHelp() []key.Binding {
	if h, ok := dialogHelp(s.dialog); ok {
		return h
	}
	k := s.keys
	out := []key.Binding{k.EditName, k.Password}
	if s.me.TOTPEnabled {
		out = append(out, k.ResetTOTP, k.Recovery)
	} else {
		out = append(out, k.EnrolTOTP)
	}
	out = append(out, k.AddKey)
	if len(s.sshKeys) > 0 {
		out = append(out, k.RemoveKey)
	}
	return out
}

func (s *profileScreen) FullHelp() [][]key.Binding {
	if h, ok := dialogHelp(s.dialog); ok {
		return [][]key.Binding{h}
	}
	k := s.keys
	return [][]key.Binding{s.ShortHelp(), {k.NextKey, k.PreviousKey}}
}
