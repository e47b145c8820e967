package screens

import (
	"errors"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"gatehouse/theme"
)

func formKeys(f *Form, keys ...string) FormResult {
	res := FormEditing
	for _, k := range keys {
		res, _ = f.Update(keyMsg(k))
	}
	return res
}

func TestFormFieldsAndValidation(t *testing.T) {
	f := NewForm(theme.Default(), "Test",
		Field{Key: "email", Label: "Email", Required: true},
		Field{Key: "pw", Label: "Password", Kind: PasswordField, Validate: func(v string) error {
			if len(v) < 4 {
				return errors.New("too short")
			}
			return nil
		}},
		Field{Key: "role", Label: "Role", Kind: ChoiceField, Value: "b", Options: []Option{{Label: "A", Value: "a"}, {Label: "B", Value: "b"}, {Label: "C", Value: "c", Disabled: true, Reason: "not for you"}}},
		Field{Key: "tags", Label: "Tags", Kind: MultiField, Options: []Option{{Label: "x", Value: "x"}, {Label: "y", Value: "y"}}},
		Field{Key: "notes", Label: "Notes", Kind: AreaField},
	)
	if res := formKeys(f, "enter"); res != FormEditing || !strings.Contains(f.View(), "Email is required") {
		t.Fatalf("empty required field submitted:\n%s", f.View())
	}
	formKeys(f, "me@x.test", "tab", "abc", "enter")
	if !strings.Contains(f.View(), "too short") || strings.Contains(f.View(), "abc") {
		t.Fatalf("password validation or masking:\n%s", f.View())
	}
	formKeys(f, "d", "tab", "right")
	if !strings.Contains(f.View(), "unavailable: not for you") {
		t.Fatalf("disabled choice without its reason:\n%s", f.View())
	}
	if res := formKeys(f, "enter"); res != FormEditing || !strings.Contains(f.View(), "✗ not for you") {
		t.Fatalf("disabled choice accepted:\n%s", f.View())
	}
	formKeys(f, "left", "shift+tab", "tab", "tab", "right", " ", "tab", "line one", "enter", "line two")
	if f.Value("notes") != "line one\nline two" {
		t.Fatalf("enter in a text area should add a line: %q", f.Value("notes"))
	}
	if res := formKeys(f, "ctrl+s"); res != FormSubmitted {
		t.Fatalf("ctrl+s did not submit:\n%s", f.View())
	}
	if f.Value("email") != "me@x.test" || f.Value("pw") != "abcd" || f.Value("role") != "b" || strings.Join(f.Values("tags"), ",") != "y" {
		t.Fatalf("values: %q %q %q %v", f.Value("email"), f.Value("pw"), f.Value("role"), f.Values("tags"))
	}
	// While busy, keys do nothing; an error from the model ends it.
	if res := formKeys(f, "esc"); res != FormEditing {
		t.Fatal("busy form cancelled")
	}
	f.SetError("refused: because")
	if !strings.Contains(f.View(), "refused: because") {
		t.Fatal("form error not shown")
	}
	if res := formKeys(f, "esc"); res != FormCancelled {
		t.Fatal("esc did not cancel")
	}
}

func TestConfirmAndPicker(t *testing.T) {
	c := Confirm{Title: "Sure?", Danger: true}
	if c.Update(keyMsg("enter")) != ConfirmPending || c.Update(keyMsg("y")) != ConfirmYes || c.Update(keyMsg("esc")) != ConfirmNo {
		t.Fatal("dangerous confirm keys")
	}
	c.Default = true
	if c.Update(keyMsg("enter")) != ConfirmYes {
		t.Fatal("enter does not confirm a default-yes question")
	}

	p := NewPicker(theme.Default(), "Pick", []Option{{Label: "Alpha"}, {Label: "Beta", Disabled: true, Reason: "busy"}, {Label: "Gamma"}})
	p.Local = true
	p.Update(keyMsg("down"))
	if res, _ := p.Update(keyMsg("enter")); res != PickerBrowsing || !strings.Contains(p.View(), "busy") {
		t.Fatalf("disabled option picked:\n%s", p.View())
	}
	p.Update(keyMsg("gam"))
	if res, _ := p.Update(keyMsg("enter")); res != PickerChosen {
		t.Fatal("filtered option not chosen")
	}
	if o, _ := p.Chosen(); o.Label != "Gamma" {
		t.Fatalf("chose %q", o.Label)
	}
	remote := NewPicker(theme.Default(), "Pick", nil)
	if res, _ := remote.Update(keyMsg("x")); res != PickerFilterChanged {
		t.Fatal("a remote picker did not report its filter")
	}
	var d Dialog = &PickerDialog{Picker: remote}
	d, _ = d.Update(PickerItemsMsg{Filter: "old", Items: []Option{{Label: "stale"}}})
	d, _ = d.Update(PickerItemsMsg{Filter: "x", Items: []Option{{Label: "fresh"}}})
	if v := d.View(80, 24); strings.Contains(v, "stale") || !strings.Contains(v, "fresh") {
		t.Fatalf("picker items:\n%s", v)
	}
	if _, cmd := d.Update(keyMsg("esc")); cmd != nil {
		t.Fatal("esc returned a command")
	}
	var _ tea.Msg = PickerItemsMsg{}
}

// A field's error and hint wrap to the form's width: the SSH key form's
// "paste one line like …" was cut at the window's edge.
func TestFormFieldErrorAndHintWrap(t *testing.T) {
	long := "not an SSH public key; paste one line like \"ssh-ed25519 AAAA… you@laptop\" from your .pub file"
	f := NewForm(theme.Default(), "Add an SSH key",
		Field{Key: "key", Label: "Public key", Required: true, Hint: "paste one line of ~/.ssh/id_ed25519.pub (or another .pub file) here, whole",
			Validate: func(string) error { return errors.New(long) }})
	f.SetWidth(44)
	for _, want := range []string{"id_ed25519.pub", "here, whole"} {
		if !strings.Contains(strings.Join(strings.Fields(f.View()), " "), want) {
			t.Fatalf("the hint lost %q:\n%s", want, f.View())
		}
	}
	formKeys(f, "ssh-ed25519 AAAAbad", "enter")
	v := f.View()
	words := strings.Join(strings.Fields(v), " ")
	for _, want := range []string{"✗ not an SSH", "you@laptop", "from your .pub file"} {
		if !strings.Contains(words, want) {
			t.Fatalf("the error lost %q:\n%s", want, v)
		}
	}
	for _, l := range strings.Split(v, "\n") {
		if w := lipgloss.Width(l); w > 44 {
			t.Fatalf("a line is %d wide in a form of 44: %q", w, l)
		}
	}
}

// A form taller than the window sheds its blank lines, so that its last
// field and its keys are not cut off at the bottom.
func TestFormDialogCompactsOnAShortWindow(t *testing.T) {
	var fields []Field
	for _, name := range []string{"Email", "Name", "Role", "Departments", "Message"} {
		fields = append(fields, Field{Key: name, Label: name, Hint: "a hint"})
	}
	d := &FormDialog{Form: NewForm(theme.Default(), "Invite a staff member", fields...)}
	tall := d.View(80, 40)
	if !strings.Contains(tall, "Name\n") || lipgloss.Height(tall) <= 16 {
		t.Fatalf("the roomy form:\n%s", tall)
	}
	short := d.View(80, 16)
	if h := lipgloss.Height(short); h > 16 {
		t.Fatalf("the form is %d lines on a window of 16:\n%s", h, short)
	}
	for _, want := range []string{"Message", "esc cancel"} {
		if !strings.Contains(short, want) {
			t.Fatalf("the short form lost %q:\n%s", want, short)
		}
	}
}
