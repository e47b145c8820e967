package cli

import (
	"context"
	"io"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"

	"gatehouse/keymap"
)

// notYet marks an app action the command line does not have yet.
const notYet = ""

// appActionCommands is, for every key of the app that changes data
// (keymap.Writes, found by walking keymap.All), the commands that do the
// same through the same model call, comma-separated. A key added to the
// app without an entry here fails TestEveryAppActionHasACommand.
var appActionCommands = map[string]string{
	"Staff.Invite":     "staff invite",
	"Staff.BulkInvite": "staff bulk-invite",
	"Staff.Role":       "staff set-role",
	"Staff.Deactivate": "staff deactivate",
	"Staff.Reactivate": "staff reactivate",
	"Staff.Remove":     "staff remove",
	"Staff.Offboard":   "offboard",
	"Staff.Manager":    "staff set-manager",
	"Staff.Resend":     "invitations resend",
	"Staff.Revoke":     "invitations revoke",
	"Staff.Lock":       "lock, unlock",
	"Staff.EndSession": "sessions end",
	"Staff.Lift":       "unlock",
	"Staff.NewLock":    "lock",
	"Staff.LockWho":    "lock",
	"Profile.AddKey":   "keys add",
	// The Profile screen: the member's own, over SSH.
	"Profile.EditName":  "profile set-name",
	"Profile.Password":  "profile password",
	"Profile.EnrolTOTP": "totp enrol",
	"Profile.ResetTOTP": "totp reset",
	"Profile.Recovery":  "recovery-codes regenerate",
	"Profile.RemoveKey": "keys remove",
	"Clients.Reassign":  "clients reassign",
	"Clients.AddStaff":  "access grant",
	// Taking a member out of a folder revokes their access to it.
	"Clients.RemoveStaff":  "access revoke",
	"Clients.ToggleCell":   "access grant, access revoke",
	"Clients.ToggleRow":    "access grant, access revoke",
	"Clients.AddClients":   "access grant",
	"Clients.RemoveClient": "access revoke",
	"Admin.DeleteOrg":      "org delete",
	"Admin.Export":         "export",
	// The Roles screen (n, e, r, x, g and the grid's s), Settings (General:
	// e, r; Departments: n, e/r, x, and a, x, M in a department's members;
	// Connections: n, the scope grid's s, space/o; Billing: p), and the
	// Simulator's what-if, which gives the role on yes.
	"Admin.New":       "roles create, departments create, connections create",
	"Admin.Edit":      "roles edit, departments edit, settings set",
	"Admin.Rename":    "roles rename, departments edit, org rename",
	"Admin.Delete":    "roles delete, departments delete",
	"Admin.Assign":    "departments add",
	"Admin.Unassign":  "departments remove",
	"Admin.Manager":   "staff set-manager",
	"Admin.SwitchOff": "connections off, connections on",
	"Admin.Payment":   "billing set-payment",
	"Admin.Give":      "roles give",
	"Admin.Save":      "roles create, roles edit, connections create",
	"Admin.WhatIf":    "whatif role, roles give",

	// The Clients screen, a folder's detail and the grid's column.
	"Clients.New":           "clients create",
	"Clients.Rename":        "clients rename",
	"Clients.Archive":       "clients archive, clients restore",
	"Clients.Owner":         "clients set-owner",
	"Clients.Department":    "clients set-department",
	"Clients.AddAccount":    "accounts add",
	"Clients.RenameAccount": "accounts rename",
	"Clients.RemoveAccount": "accounts remove",
	"Clients.ToggleCol":     "access grant, access revoke",
	"Staff.Departments":     "staff departments",
	"Staff.Transfer":        "org transfer-ownership",
}

// appReadCommands are the app's read keys that answer a question the
// command line must answer too.
var appReadCommands = map[string]string{
	"Clients.WhoCanReach": "access who",
}

// appKeys is every binding of the app, by its place in keymap.All
// ("Staff.Invite").
func appKeys() map[string]key.Binding {
	out := map[string]key.Binding{}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		if v.Type() == reflect.TypeOf(key.Binding{}) {
			out[path] = v.Interface().(key.Binding)
			return
		}
		if v.Kind() != reflect.Struct {
			return
		}
		for i := range v.NumField() {
			name := v.Type().Field(i).Name
			if path != "" {
				name = path + "." + name
			}
			walk(v.Field(i), name)
		}
	}
	walk(reflect.ValueOf(keymap.All()), "")
	return out
}

// Every action of the app has a command in the tree: the parity between
// the two surfaces is checked from the app's keys, so a new key without a
// command fails here.
func TestEveryAppActionHasACommand(t *testing.T) {
	a := &app{stdout: io.Discard, stderr: io.Discard}
	a.newRoot(context.Background())
	inTree := map[string]bool{}
	for _, c := range a.registered {
		inTree[c.name] = true
	}
	keys := appKeys()
	var missing []string
	writes := 0
	for path, b := range keys {
		if !keymap.Writes(b) {
			continue
		}
		writes++
		cmds, ok := appActionCommands[path]
		if !ok {
			t.Errorf("the app's %s (%q) changes data and has no entry in appActionCommands: give it a command", path, b.Help().Desc)
			continue
		}
		if cmds == notYet {
			missing = append(missing, path)
			continue
		}
		for _, name := range strings.Split(cmds, ",") {
			if name = strings.TrimSpace(name); !inTree[name] {
				t.Errorf("%s maps to %q, which is not a command", path, name)
			}
		}
	}
	for path, name := range appReadCommands {
		if _, ok := keys[path]; !ok {
			t.Errorf("appReadCommands names %s, which is no key of the app", path)
		}
		if !inTree[name] {
			t.Errorf("%s maps to %q, which is not a command", path, name)
		}
	}
	for path, cmds := range appActionCommands {
		if b, ok := keys[path]; !ok || !keymap.Writes(b) {
			t.Errorf("appActionCommands names %s (%q), which is no write key of the app", path, cmds)
		}
	}
	if writes < 40 {
		t.Fatalf("found %d write keys in the app; the walk of keymap.All is broken", writes)
	}
	sort.Strings(missing)
	t.Logf("%d of %d app actions have a command; not yet: %s", writes-len(missing), writes, strings.Join(missing, ", "))
}
