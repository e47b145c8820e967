package screens

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"

	"gatehouse/keymap"
	"gatehouse/model"
)

// The shared dialogs say which keys they take, so that the key help under
// an open form or question lists those rather than the keys of the list
// behind it, which do nothing while the dialog has focus.

func (d *FormDialog) help() []key.Binding { return d.Form.keys() }

// keys are the form's keys, as its hint line and the help offer them: a
// text area takes enter for its lines, so ctrl+s submits.
func (f *Form) keys() []key.Binding {
	submit := keymap.DialogSubmit
	if f.hasArea() {
		submit = keymap.DialogSubmitArea
	}
	return []key.Binding{keymap.DialogNextField, submit, keymap.DialogCancel}
}

func (d *ConfirmDialog) help() []key.Binding {
	yes := keymap.DialogYes
	if d.Confirm.Default {
		yes = keymap.DialogYesOrEnter
	}
	if label := strings.ToLower(d.Confirm.Yes); label != "" {
		yes = withDesc(yes, label)
	}
	return []key.Binding{yes, keymap.DialogNo}
}

func (d *PickerDialog) help() []key.Binding { return pickerKeys }

// pickerKeys are a picker's keys, as its hint line and the help offer
// them.
var pickerKeys = []key.Binding{keymap.DialogMove, keymap.DialogChoose, keymap.DialogCancel}

func (d *ResultDialog) help() []key.Binding {
	return []key.Binding{keymap.DialogClose}
}

// filterHelp is the keys of a list's filter while it is typed into: every
// other key is a letter of the filter.
var filterHelp = []key.Binding{withDesc(keymap.DialogSubmit, "apply"), keymap.DialogCancel}

// dialogHelp is the keys of an open dialog that says which it takes.
func dialogHelp(d Dialog) ([]key.Binding, bool) {
	if d == nil {
		return nil, false
	}
	if h, ok := d.(helper); ok {
		return h.help(), true
	}
	return nil, false
}

// help is the grid's keys, or the confirmation's while it asks.
func (e *roleEditor) help() []key.Binding {
	if e.confirming {
		return e.confirmKeys()
	}
	k := e.grid.keys
	return []key.Binding{keymap.DialogArrows, k.Cycle, k.ScopeOff, k.ScopeOwn, k.ScopeDept, k.ScopeAll, k.Save, keymap.DialogCancel}
}

// withDesc is b described as desc.
func withDesc(b key.Binding, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(b.Keys()...), key.WithHelp(b.Help().Key, desc))
}

func (v *ExplainView) help() []key.Binding {
	return []key.Binding{keymap.DialogClose}
}

// help is the scope grid's keys; s creates the connection.
func (d *connectionScope) help() []key.Binding {
	k := d.grid.keys
	return []key.Binding{keymap.DialogArrows, k.Cycle, k.ScopeOff, k.ScopeOwn, k.ScopeDept, k.ScopeAll, withDesc(k.Save, "create"), keymap.DialogCancel}
}

// help is the what-if preview's answer: give the role, where allowed.
func (w *WhatIf) help() []key.Binding {
	if w.allowed.Allowed && w.preview != nil && w.err == "" {
		return w.giveKeys()
	}
	return []key.Binding{whatIfClose}
}

// giveKeys are the keys of a what-if that may be saved.
func (w *WhatIf) giveKeys() []key.Binding {
	return []key.Binding{withDesc(keymap.DialogYes, "give "+model.Sanitize(w.role.Name)), keymap.DialogCancel}
}

// whatIfClose closes a what-if that may not be saved.
var whatIfClose = withDesc(keymap.DialogCancel, "close")

// help is the inner dialog's: esc steps back rather than out.
func (b *backOnCancel) help() []key.Binding {
	if h, ok := dialogHelp(b.inner); ok {
		return h
	}
	return nil
}

func (p *clientMultiPick) help() []key.Binding {
	return []key.Binding{keymap.DialogMove, keymap.DialogMark, addMarked, keymap.DialogCancel}
}

// addMarked adds the member to the folders marked in + Clients.
var addMarked = withDesc(keymap.DialogChoose, "add the marked")
