package model

import (
	"fmt"
	"strings"
	"testing"
)

// The organisation the engine table plays in. Ids are fixed so that each row
// can say who the target is relative to the actor.
const (
	idOwner    int64 = 1
	idAdmin    int64 = 2
	idAdvisor  int64 = 3
	idManager  int64 = 4
	idViewer   int64 = 5
	idSelfServ int64 = 6
	idStaffAdm int64 = 7
	idPeer     int64 = 10 // an Advisor in the Manager's department
	idOutsider int64 = 11 // an Advisor in another department
	idAssigned int64 = 12 // an Advisor assigned to the Manager, in no department
	idAdmin2   int64 = 13 // another active Admin
	idAdminOff int64 = 14 // a deactivated Admin
	idAdvOff   int64 = 15 // a deactivated Advisor

	deptSales int64 = 100
	deptTax   int64 = 200
)

func perms(scope string, modules []string, verbs ...string) PermissionSet {
	ps := PermissionSet{}
	for _, m := range modules {
		for _, v := range verbs {
			ps[permKey(m, v)] = scope
		}
	}
	return ps
}

func merge(sets ...PermissionSet) PermissionSet {
	out := PermissionSet{}
	for _, s := range sets {
		for k, v := range s {
			if scopeRank(v) > scopeRank(out[k]) {
				out[k] = v
			}
		}
	}
	return out
}

var (
	managerPerms  = perms(ScopeDepartment, []string{"staff", "clients", "accounts", "audit"}, "view")
	viewerPerms   = perms(ScopeAll, Modules, "view")
	selfServPerms = merge(perms(ScopeOwn, []string{"staff", "clients", "accounts", "audit"}, "view"), perms(ScopeOwn, []string{"staff"}, "update"))
	staffAdmPerms = perms(ScopeAll, []string{"staff"}, Verbs...)

	roleOwner   = &RoleFacts{ID: 1, Name: "Owner", Builtin: "owner", Perms: BuiltinPermissions("owner")}
	roleAdmin   = &RoleFacts{ID: 2, Name: "Admin", Builtin: "admin", Perms: BuiltinPermissions("admin")}
	roleAdvisor = &RoleFacts{ID: 3, Name: "Advisor", Builtin: "advisor", Perms: BuiltinPermissions("advisor")}
	// Bookkeeper grants less than an Admin has; Biller grants what no Admin has.
	roleBookkeeper = &RoleFacts{ID: 20, Name: "Bookkeeper", Perms: perms(ScopeOwn, []string{"clients", "accounts"}, "view")}
	roleBiller     = &RoleFacts{ID: 21, Name: "Biller", Perms: perms(ScopeAll, []string{"billing"}, "view", "update")}
)

func member(id int64, email, role, builtin string, ps PermissionSet, depts ...int64) Actor {
	return Actor{
		Principal: Principal{Kind: KindMember, StaffID: id, Label: email, Origin: "test"},
		Name:      email, Email: email, Role: role, Builtin: builtin, Status: "active", Perms: ps, DeptIDs: depts,
	}
}

var (
	owner    = member(idOwner, "owner@acme.test", "Owner", "owner", BuiltinPermissions("owner"))
	admin    = member(idAdmin, "admin@acme.test", "Admin", "admin", BuiltinPermissions("admin"))
	advisor  = member(idAdvisor, "advisor@acme.test", "Advisor", "advisor", BuiltinPermissions("advisor"))
	manager  = withAssigned(member(idManager, "manager@acme.test", "Manager", "", managerPerms, deptSales), idAssigned)
	viewer   = member(idViewer, "viewer@acme.test", "Viewer", "", viewerPerms)
	selfServ = member(idSelfServ, "self@acme.test", "Self-service", "", selfServPerms)
	staffAdm = member(idStaffAdm, "hr@acme.test", "Staff admin", "", staffAdmPerms)
	system   = Actor{Principal: System("root"), Role: "Owner", Builtin: "owner", Status: "active", Perms: BuiltinPermissions("owner")}
)

func withAssigned(a Actor, ids ...int64) Actor { a.Assigned = ids; return a }

func withStatus(a Actor, status string) Actor { a.Status = status; return a }

// connection is a connection created by creator, allowed scope; its
// permissions are the intersection, as loadActor computes them.
func connection(creator Actor, name string, on bool, scope PermissionSet) Actor {
	c := creator
	c.Kind, c.ConnectionID, c.Label = KindConnection, 900, name
	c.ConnectionName, c.ConnectionOn = name, on
	c.Perms = scope.Intersect(creator.Perms)
	return c
}

func staffMember(id int64, email, role, builtin, status string, depts ...int64) Target {
	ps := BuiltinPermissions(builtin)
	return Target{Module: "staff", Label: email, Staff: &StaffFacts{ID: id, Name: email, Email: email, Role: role, Builtin: builtin, Status: status, DeptIDs: depts, Perms: ps}}
}

var (
	tOwner    = staffMember(idOwner, "owner@acme.test", "Owner", "owner", "active")
	tAdmin    = staffMember(idAdmin, "admin@acme.test", "Admin", "admin", "active")
	tAdvisor  = staffMember(idAdvisor, "advisor@acme.test", "Advisor", "advisor", "active")
	tManager  = staffMember(idManager, "manager@acme.test", "Manager", "", "active", deptSales)
	tSelfServ = staffMember(idSelfServ, "self@acme.test", "Self-service", "", "active")
	tStaffAdm = staffMember(idStaffAdm, "hr@acme.test", "Staff admin", "", "active")
	tPeer     = staffMember(idPeer, "peer@acme.test", "Advisor", "advisor", "active", deptSales)
	tOutsider = staffMember(idOutsider, "outsider@acme.test", "Advisor", "advisor", "active", deptTax)
	tAssigned = staffMember(idAssigned, "assigned@acme.test", "Advisor", "advisor", "active")
	tAdmin2   = staffMember(idAdmin2, "admin2@acme.test", "Admin", "admin", "active")
	tAdminOff = staffMember(idAdminOff, "gone-admin@acme.test", "Admin", "admin", "deactivated")
	tAdvOff   = staffMember(idAdvOff, "gone@acme.test", "Advisor", "advisor", "deactivated")
)

// withRole is a staff target with the role being given (set-role, invite).
func withRole(t Target, r *RoleFacts) Target { t.Role = r; return t }

// folder builds a client-folder target; the options say how it relates to
// the actor of the row.
func folder(name string, opts ...func(*ClientFacts)) Target {
	c := &ClientFacts{ID: 500, Name: name}
	for _, o := range opts {
		o(c)
	}
	return Target{Module: "clients", Label: name, Client: c}
}

func added(c *ClientFacts)    { c.ActorAdded = true }
func internal(c *ClientFacts) { c.Internal = true; c.Name = InternalFolderName }
func ownedBy(id int64, depts ...int64) func(*ClientFacts) {
	return func(c *ClientFacts) { c.OwnerID, c.OwnerDeptIDs = id, depts }
}
func inDept(id int64, name string) func(*ClientFacts) {
	return func(c *ClientFacts) { c.DeptID, c.DeptName = id, name }
}

// account is one account of a folder, toggled on or off for the actor.
func account(name string, on bool, f Target) Target {
	f.Account = &AccountFacts{ID: 700, Name: name, ActorToggleOn: on}
	f.Label = name
	return f
}

func module(m string) Target { return Target{Module: m, Label: m} }

type engineRow struct {
	name    string
	actor   Actor
	action  string
	target  Target
	allowed bool
	reason  string // a fragment the reason must contain
}

func (r engineRow) check(t *testing.T) {
	t.Helper()
	d := Decide(r.actor, r.action, r.target)
	if d.Allowed != r.allowed {
		t.Errorf("Decide = allowed %v (%q), want %v", d.Allowed, d.Reason, r.allowed)
	}
	if !strings.Contains(d.Reason, r.reason) {
		t.Errorf("reason %q does not contain %q", d.Reason, r.reason)
	}
}

// TestDecideBuiltinModules walks every module x verb for the three built-in
// roles against PRODUCT.md's role table.
func TestDecideBuiltinModules(t *testing.T) {
	advisorMay := map[string]bool{"staff.view": true, "clients.view": true, "accounts.view": true, "audit.view": true, "roles.view": true, "departments.view": true}
	n := 0
	for _, a := range []Actor{owner, admin, advisor} {
		for _, m := range Modules {
			for _, v := range Verbs {
				want := true
				switch a.Builtin {
				case "admin":
					// Admins see billing and nothing more of it.
					want = m != "billing" || v == "view"
				case "advisor":
					want = advisorMay[m+"."+v]
				}
				reason := fmt.Sprintf("may %s %s", v, m)
				if a.Builtin == "advisor" && m == "audit" && v == "view" {
					reason = "audit log of their own actions"
				}
				if !want {
					reason = fmt.Sprintf("may not %s %s", v, m)
				}
				r := engineRow{actor: a, action: v, target: module(m), allowed: want, reason: reason}
				t.Run(fmt.Sprintf("%s/%s/%s", a.Role, m, v), r.check)
				n++
			}
		}
	}
	if n != 120 {
		t.Fatalf("walked %d combinations, want 120", n)
	}
}

func engineRows() []engineRow {
	acme := "Acme Ltd"
	return []engineRow{
		// Seeing the staff list: everyone; a custom role within its scope.
		{"owner views an advisor", owner, ActView, tAdvisor, true, "all staff"},
		{"admin views the owner", admin, ActView, tOwner, true, "all staff"},
		{"advisor views the owner", advisor, ActView, tOwner, true, "all staff"},
		{"advisor views an admin", advisor, ActView, tAdmin, true, "all staff"},
		{"manager views themselves", manager, ActView, tManager, true, "themselves"},
		{"manager views a member of their department", manager, ActView, tPeer, true, "shares a department"},
		{"manager views a member outside their departments", manager, ActView, tOutsider, false, "departments only"},
		{"manager views a member assigned to them", manager, ActView, tAssigned, true, "assigned to them"},
		{"manager views the owner", manager, ActView, tOwner, false, "departments only"},
		{"manager may not update a member of their department", manager, ActUpdate, tPeer, false, "may not update staff"},
		{"viewer views anyone", viewer, ActView, tOutsider, true, "all staff"},
		{"viewer may not update", viewer, ActUpdate, tOutsider, false, "may not update staff"},
		{"viewer may not deactivate", viewer, ActDeactivate, tOutsider, false, "may not update staff"},
		{"viewer may not remove", viewer, ActRemove, tOutsider, false, "may not delete staff"},
		{"own-scope role views itself", selfServ, ActView, tSelfServ, true, "their own record"},
		{"own-scope role views another", selfServ, ActView, tAdvisor, false, "only their own record"},
		{"own-scope role updates itself", selfServ, ActUpdate, tSelfServ, true, "their own record"},
		{"own-scope role may not deactivate itself", selfServ, ActDeactivate, tSelfServ, false, "themselves"},

		// Editing a member.
		{"owner edits an admin", owner, ActUpdate, tAdmin, true, "may update staff"},
		{"owner edits themselves", owner, ActUpdate, tOwner, true, "may update staff"},
		{"admin edits an advisor", admin, ActUpdate, tAdvisor, true, "may update staff"},
		{"admin may not edit the owner", admin, ActUpdate, tOwner, false, "may not change or remove the Owner"},
		{"advisor may not edit anyone", advisor, ActUpdate, tPeer, false, "may not update staff"},
		{"advisor may not edit themselves", advisor, ActUpdate, tAdvisor, false, "may not update staff"},

		// Invitations.
		{"owner invites an admin", owner, ActInvite, withRole(module("staff"), roleAdmin), true, "may invite"},
		{"owner invites an advisor", owner, ActInvite, withRole(module("staff"), roleAdvisor), true, "may invite"},
		{"owner invites with a custom role", owner, ActInvite, withRole(module("staff"), roleBiller), true, "may invite"},
		{"owner may not invite a second owner", owner, ActInvite, withRole(module("staff"), roleOwner), false, "exactly one Owner"},
		{"admin invites an advisor", admin, ActInvite, withRole(module("staff"), roleAdvisor), true, "may invite"},
		{"admin may not invite an admin", admin, ActInvite, withRole(module("staff"), roleAdmin), false, "only the Owner makes Admins"},
		{"admin invites with a custom role within their own", admin, ActInvite, withRole(module("staff"), roleBookkeeper), true, "may invite"},
		{"admin may not invite with a role granting more than they have", admin, ActInvite, withRole(module("staff"), roleBiller), false, "update billing at all scope"},
		{"admin may not invite an owner", admin, ActInvite, withRole(module("staff"), roleOwner), false, "exactly one Owner"},
		{"advisor may not invite", advisor, ActInvite, withRole(module("staff"), roleAdvisor), false, "may not create staff"},
		{"manager may not invite", manager, ActInvite, withRole(module("staff"), roleAdvisor), false, "may not create staff"},
		{"staff admin may not invite with a role granting more than they have", staffAdm, ActInvite, withRole(module("staff"), roleAdvisor), false, "may not invite with the role Advisor"},
		{"staff admin may not invite an admin", staffAdm, ActInvite, withRole(module("staff"), roleAdmin), false, "only the Owner makes Admins"},

		// Changing roles: only the Owner makes or unmakes Admins.
		{"owner promotes an advisor to admin", owner, ActSetRole, withRole(tAdvisor, roleAdmin), true, "may change the role of advisor@acme.test"},
		{"owner demotes an admin", owner, ActSetRole, withRole(tAdmin, roleAdvisor), true, "may change the role of admin@acme.test"},
		{"owner gives a custom role", owner, ActSetRole, withRole(tAdvisor, roleBiller), true, "may change the role"},
		{"owner may not make a second owner", owner, ActSetRole, withRole(tAdmin, roleOwner), false, "exactly one Owner"},
		{"owner may not change their own role", owner, ActSetRole, withRole(tOwner, roleAdmin), false, "their own role"},
		{"admin may not promote to admin", admin, ActSetRole, withRole(tAdvisor, roleAdmin), false, "only the Owner makes or unmakes Admins"},
		{"admin may not demote another admin", admin, ActSetRole, withRole(tAdmin2, roleAdvisor), false, "only the Owner makes or unmakes Admins"},
		{"admin gives an advisor a custom role within their own", admin, ActSetRole, withRole(tAdvisor, roleBookkeeper), true, "may change the role of advisor@acme.test"},
		{"admin may not give a role granting more than they have", admin, ActSetRole, withRole(tAdvisor, roleBiller), false, "may not give the role Biller"},
		{"admin may not change the owner's role", admin, ActSetRole, withRole(tOwner, roleAdvisor), false, "transfer of ownership"},
		{"admin may not make anyone owner", admin, ActSetRole, withRole(tAdvisor, roleOwner), false, "exactly one Owner"},
		{"admin may not demote themselves", admin, ActSetRole, withRole(tAdmin, roleAdvisor), false, "their own role"},
		{"advisor may not change roles", advisor, ActSetRole, withRole(tPeer, roleBookkeeper), false, "may not update staff"},
		{"staff admin may not make an admin", staffAdm, ActSetRole, withRole(tAdvisor, roleAdmin), false, "only the Owner makes or unmakes Admins"},
		{"staff admin may not unmake an admin", staffAdm, ActSetRole, withRole(tAdmin, roleAdvisor), false, "only the Owner makes or unmakes Admins"},
		{"system promotes to admin", system, ActSetRole, withRole(tAdvisor, roleAdmin), true, "Local user root may change the role"},

		// Deactivate, reactivate, remove: never oneself, never the Owner.
		{"owner deactivates an admin", owner, ActDeactivate, tAdmin, true, "may deactivate admin@acme.test"},
		{"owner deactivates an advisor", owner, ActDeactivate, tAdvisor, true, "may deactivate advisor@acme.test"},
		{"owner may not deactivate themselves", owner, ActDeactivate, tOwner, false, "no one may deactivate themselves"},
		{"owner may not remove themselves", owner, ActRemove, tOwner, false, "no one may remove themselves"},
		{"owner removes an admin", owner, ActRemove, tAdmin, true, "may remove admin@acme.test"},
		{"owner reactivates an admin", owner, ActReactivate, tAdminOff, true, "may reactivate gone-admin@acme.test"},
		{"admin deactivates an advisor", admin, ActDeactivate, tAdvisor, true, "may deactivate advisor@acme.test"},
		{"admin deactivates another admin", admin, ActDeactivate, tAdmin2, true, "may deactivate admin2@acme.test"},
		{"admin may not deactivate the owner", admin, ActDeactivate, tOwner, false, "the Owner cannot be deactivated"},
		{"admin may not remove the owner", admin, ActRemove, tOwner, false, "the Owner cannot be removed"},
		{"admin may not deactivate themselves", admin, ActDeactivate, tAdmin, false, "no one may deactivate themselves"},
		{"admin may not remove themselves", admin, ActRemove, tAdmin, false, "no one may remove themselves"},
		{"admin may not reactivate themselves", admin, ActReactivate, tAdmin, false, "no one may reactivate themselves"},
		{"admin removes an advisor", admin, ActRemove, tAdvisor, true, "may remove advisor@acme.test"},
		{"admin reactivates an advisor", admin, ActReactivate, tAdvOff, true, "may reactivate gone@acme.test"},
		{"advisor may not deactivate", advisor, ActDeactivate, tPeer, false, "may not update staff"},
		{"advisor may not reactivate", advisor, ActReactivate, tAdvOff, false, "may not update staff"},
		{"advisor may not remove", advisor, ActRemove, tPeer, false, "may not delete staff"},
		{"advisor may not deactivate the owner", advisor, ActDeactivate, tOwner, false, "may not update staff"},
		{"staff admin deactivates an advisor", staffAdm, ActDeactivate, tAdvisor, true, "may deactivate advisor@acme.test"},
		{"staff admin may not deactivate an admin", staffAdm, ActDeactivate, tAdmin, false, "may not deactivate an Admin"},
		{"staff admin may not remove an admin", staffAdm, ActRemove, tAdmin, false, "may not remove an Admin"},
		{"staff admin may not reactivate an admin", staffAdm, ActReactivate, tAdminOff, false, "may not reactivate an Admin"},
		{"staff admin may not remove the owner", staffAdm, ActRemove, tOwner, false, "the Owner cannot be removed"},
		{"system may not deactivate the owner", system, ActDeactivate, tOwner, false, "the Owner cannot be deactivated"},
		// Deleting a staff record is removing the member, with the same rules.
		{"owner may not delete their own staff record", owner, ActDelete, tOwner, false, "themselves"},
		{"admin may not delete their own staff record", admin, ActDelete, tAdmin, false, "themselves"},
		{"admin may not delete the owner's record", admin, ActDelete, tOwner, false, "Owner"},
		{"admin deletes an advisor's record", admin, ActDelete, tAdvisor, true, "advisor@acme.test"},
		{"staff admin may not delete an admin's record", staffAdm, ActDelete, tAdmin, false, "an Admin"},

		// Transfer of ownership: only the Owner, only to an active Admin.
		{"owner transfers to an active admin", owner, ActTransfer, tAdmin, true, "an active Admin"},
		{"owner may not transfer to a deactivated admin", owner, ActTransfer, tAdminOff, false, "is deactivated"},
		{"owner may not transfer to an advisor", owner, ActTransfer, tAdvisor, false, "ownership goes only to an Admin"},
		{"owner may not transfer to a custom role", owner, ActTransfer, tManager, false, "ownership goes only to an Admin"},
		{"owner may not transfer to themselves", owner, ActTransfer, tOwner, false, "already owns"},
		{"owner may transfer (no target yet)", owner, ActTransfer, module("staff"), true, "active Admin"},
		{"admin may not transfer", admin, ActTransfer, tAdmin2, false, "only the Owner transfers ownership"},
		{"admin may not take ownership", admin, ActTransfer, tAdmin, false, "only the Owner transfers ownership"},
		{"advisor may not transfer", advisor, ActTransfer, tAdmin, false, "only the Owner transfers ownership"},
		{"viewer may not transfer", viewer, ActTransfer, tAdmin, false, "only the Owner transfers ownership"},
		{"system transfers to an active admin", system, ActTransfer, tAdmin, true, "an active Admin"},

		// Client folders.
		{"owner views a folder they are not added to", owner, ActView, folder(acme), true, "all client folders"},
		{"owner views the internal folder", owner, ActView, folder("", internal), true, "all client folders"},
		{"owner archives a folder", owner, ActDelete, folder(acme), true, "may delete clients"},
		{"admin views a folder they are not added to", admin, ActView, folder(acme), true, "all client folders"},
		{"admin edits a folder", admin, ActUpdate, folder(acme), true, "may update clients"},
		{"admin archives a folder", admin, ActDelete, folder(acme), true, "may delete clients"},
		{"admin may not view the internal folder when not added", admin, ActView, folder("", internal), false, "not added to Internal accounts"},
		{"admin views the internal folder when added", admin, ActView, folder("", internal, added), true, "added to Internal accounts"},
		{"advisor views a folder they were added to", advisor, ActView, folder(acme, added), true, "added to Acme Ltd"},
		{"advisor may not view a folder they were not added to", advisor, ActView, folder(acme), false, "not added to Acme Ltd"},
		{"advisor views a folder they own", advisor, ActView, folder(acme, ownedBy(idAdvisor)), true, "owner of Acme Ltd"},
		{"advisor may not view a folder of their department", advisor, ActView, folder(acme, inDept(deptSales, "Sales")), false, "not added to Acme Ltd"},
		{"advisor may not edit a folder they were added to", advisor, ActUpdate, folder(acme, added), false, "may not update clients"},
		{"advisor may not archive a folder", advisor, ActDelete, folder(acme, added), false, "may not delete clients"},
		{"advisor may not create folders", advisor, ActCreate, module("clients"), false, "may not create clients"},
		{"advisor views the internal folder when added", advisor, ActView, folder("", internal, added), true, "added to Internal accounts"},
		{"advisor may not view the internal folder when not added", advisor, ActView, folder("", internal), false, "not added to Internal accounts"},
		{"manager views a folder of their department", manager, ActView, folder(acme, inDept(deptSales, "Sales")), true, "Acme Ltd is in Sales, one of their departments"},
		{"manager may not view a folder of another department", manager, ActView, folder(acme, inDept(deptTax, "Tax")), false, "not in their departments"},
		{"manager views a folder owned by a member assigned to them", manager, ActView, folder(acme, ownedBy(idAssigned)), true, "owned by a member assigned to them"},
		{"manager views a folder owned by a member of their department", manager, ActView, folder(acme, ownedBy(idPeer, deptSales)), true, "owned by a member of their department"},
		{"manager views a folder they were added to", manager, ActView, folder(acme, added, inDept(deptTax, "Tax")), true, "added to Acme Ltd"},
		{"manager may not view the internal folder of their department", manager, ActView, folder("", internal, inDept(deptSales, "Sales")), false, "not added to Internal accounts"},
		{"manager may not edit a folder of their department", manager, ActUpdate, folder(acme, inDept(deptSales, "Sales")), false, "may not update clients"},
		{"viewer views any folder", viewer, ActView, folder(acme), true, "all client folders"},
		{"viewer may not view the internal folder when not added", viewer, ActView, folder("", internal), false, "not added to Internal accounts"},
		{"viewer may not edit folders", viewer, ActUpdate, folder(acme), false, "may not update clients"},
		{"own-scope role views a folder it owns", selfServ, ActView, folder(acme, ownedBy(idSelfServ)), true, "owner of Acme Ltd"},
		{"own-scope role views a folder it was added to", selfServ, ActView, folder(acme, added), true, "added to Acme Ltd"},
		{"own-scope role may not view other folders", selfServ, ActView, folder(acme, ownedBy(idAdvisor)), false, "not added to Acme Ltd"},

		// Reaching accounts.
		{"owner reaches an account toggled off", owner, ActAccess, account("Payroll", false, folder(acme)), true, "reaches every account"},
		{"owner reaches an internal account without being added", owner, ActAccess, account("Firm books", false, folder("", internal)), true, "reaches every account"},
		{"admin reaches an account of a folder they are not added to", admin, ActAccess, account("Payroll", false, folder(acme)), true, "reaches all client accounts"},
		{"admin may not reach an internal account when not added", admin, ActAccess, account("Firm books", true, folder("", internal)), false, "not added to Internal accounts"},
		{"admin reaches an internal account toggled on", admin, ActAccess, account("Firm books", true, folder("", internal, added)), true, "Firm books toggled on"},
		{"admin may not reach an internal account toggled off", admin, ActAccess, account("Firm books", false, folder("", internal, added)), false, "Firm books is toggled off"},
		{"advisor reaches an account toggled on", advisor, ActAccess, account("Payroll", true, folder(acme, added)), true, "added to Acme Ltd, Payroll toggled on"},
		{"advisor may not reach an account toggled off", advisor, ActAccess, account("Payroll", false, folder(acme, added)), false, "Payroll is toggled off"},
		{"advisor may not reach an account of a folder not added to", advisor, ActAccess, account("Payroll", true, folder(acme)), false, "not added to Acme Ltd"},
		{"advisor views an account toggled on", advisor, ActView, account("Payroll", true, folder(acme, added)), true, "toggled on"},
		{"advisor may not view an account toggled off", advisor, ActView, account("Payroll", false, folder(acme, added)), false, "toggled off"},
		{"advisor reaches an internal account when added and on", advisor, ActAccess, account("Firm books", true, folder("", internal, added)), true, "toggled on"},
		{"advisor may not reach an internal account when not added", advisor, ActAccess, account("Firm books", true, folder("", internal)), false, "not added to Internal accounts"},
		{"advisor reaches a folder they were added to", advisor, ActAccess, folder(acme, added), true, "added to Acme Ltd"},
		{"advisor may not rename an account", advisor, ActUpdate, account("Payroll", true, folder(acme, added)), false, "may not update accounts"},
		{"admin renames an account", admin, ActUpdate, account("Payroll", false, folder(acme)), true, "may update accounts"},
		{"manager reaches an account of a department folder", manager, ActAccess, account("Payroll", false, folder(acme, inDept(deptSales, "Sales"))), true, "one of their departments"},
		{"manager's department reach is not narrowed by being added", manager, ActAccess, account("Payroll", false, folder(acme, added, inDept(deptSales, "Sales"))), true, "one of their departments"},
		{"manager may not reach an account of another department", manager, ActAccess, account("Payroll", true, folder(acme, inDept(deptTax, "Tax"))), false, "not added to Acme Ltd"},
		{"manager reaches an account toggled on in a folder added to", manager, ActAccess, account("Payroll", true, folder(acme, added, inDept(deptTax, "Tax"))), true, "Payroll toggled on"},
		{"manager may not reach an account toggled off outside their departments", manager, ActAccess, account("Payroll", false, folder(acme, added, inDept(deptTax, "Tax"))), false, "toggled off"},
		{"manager reaches accounts of an assigned member's folder", manager, ActAccess, account("Payroll", false, folder(acme, ownedBy(idAssigned))), true, "assigned to them"},
		{"viewer reaches any client account", viewer, ActAccess, account("Payroll", false, folder(acme)), true, "reaches all client accounts"},
		{"viewer may not reach an internal account when not added", viewer, ActAccess, account("Firm books", true, folder("", internal)), false, "not added to Internal accounts"},
		{"own-scope role may not reach a folder it was not added to", selfServ, ActAccess, account("Payroll", true, folder(acme)), false, "not added to Acme Ltd"},

		// Managing who reaches a client.
		{"owner manages access to a folder", owner, ActManageAccess, folder(acme), true, "may manage access to Acme Ltd"},
		{"owner manages access to the internal accounts", owner, ActManageAccess, folder("", internal), true, "may manage access to Internal accounts"},
		{"admin manages access to a folder not added to", admin, ActManageAccess, folder(acme), true, "may manage access to Acme Ltd"},
		{"admin manages access to a folder added to", admin, ActManageAccess, folder(acme, added), true, "may manage access to Acme Ltd"},
		{"admin may not manage access to the internal accounts", admin, ActManageAccess, folder("", internal, added), false, "only the Owner manages who reaches the internal accounts"},
		{"admin may not manage access to the internal accounts when not added", admin, ActManageAccess, folder("", internal), false, "not added to Internal accounts"},
		{"advisor may not manage access", advisor, ActManageAccess, folder(acme, added), false, "may not update access"},
		{"manager may not manage access", manager, ActManageAccess, folder(acme, inDept(deptSales, "Sales")), false, "may not update access"},
		{"viewer may not manage access", viewer, ActManageAccess, folder(acme), false, "may not update access"},

		// Billing, payment, the organisation.
		{"owner changes the payment method", owner, ActChangePayment, module("billing"), true, "only the Owner may change the payment method"},
		{"admin may not change the payment method", admin, ActChangePayment, module("billing"), false, "only the Owner may change the payment method"},
		{"advisor may not change the payment method", advisor, ActChangePayment, module("billing"), false, "only the Owner"},
		{"viewer may not change the payment method", viewer, ActChangePayment, module("billing"), false, "only the Owner"},
		{"owner deletes the organisation", owner, ActDeleteOrg, module("settings"), true, "delete the organisation"},
		{"admin may not delete the organisation", admin, ActDeleteOrg, module("settings"), false, "only the Owner may delete the organisation"},
		{"advisor may not delete the organisation", advisor, ActDeleteOrg, module("settings"), false, "only the Owner"},
		{"system changes the payment method", system, ActChangePayment, module("billing"), true, "Local user root"},
		{"admin views billing", admin, ActView, module("billing"), true, "may view billing"},
		{"advisor may not view billing", advisor, ActView, module("billing"), false, "may not view billing"},
		{"viewer views billing", viewer, ActView, module("billing"), true, "may view billing"},

		// Roles, departments, settings, connections, audit.
		{"admin creates a role within their own", admin, ActCreate, withRole(module("roles"), roleBookkeeper), true, "may create roles"},
		{"admin may not create a role granting more than they have", admin, ActCreate, withRole(module("roles"), roleBiller), false, "may not make a role that grants update billing"},
		{"owner creates a role granting billing", owner, ActCreate, withRole(module("roles"), roleBiller), true, "may create roles"},
		{"owner may not edit a built-in role", owner, ActUpdate, withRole(module("roles"), roleAdvisor), false, "built-in roles cannot be changed"},
		{"admin may not delete a built-in role", admin, ActDelete, withRole(module("roles"), roleAdmin), false, "built-in roles cannot be changed"},
		{"advisor views roles", advisor, ActView, withRole(module("roles"), roleAdmin), true, "may view roles"},
		{"advisor may not create roles", advisor, ActCreate, withRole(module("roles"), roleBookkeeper), false, "may not create roles"},
		{"admin edits departments", admin, ActUpdate, module("departments"), true, "may update departments"},
		{"advisor may not edit departments", advisor, ActUpdate, module("departments"), false, "may not update departments"},
		{"admin edits settings", admin, ActUpdate, module("settings"), true, "may update settings"},
		{"advisor may not edit settings", advisor, ActUpdate, module("settings"), false, "may not update settings"},
		{"admin creates a connection", admin, ActCreate, module("connections"), true, "may create connections"},
		{"admin switches off a connection", admin, ActUpdate, module("connections"), true, "may update connections"},
		{"advisor may not create connections", advisor, ActCreate, module("connections"), false, "may not create connections"},
		{"owner views the whole audit log", owner, ActView, module("audit"), true, "(all)"},
		{"admin views the whole audit log", admin, ActView, module("audit"), true, "(all)"},
		{"advisor views the audit log of their own actions", advisor, ActView, module("audit"), true, "their own actions"},
		{"manager views the audit log of their departments", manager, ActView, module("audit"), true, "their departments'"},
		{"viewer may not change the audit log", viewer, ActDelete, module("audit"), false, "may not delete audit"},
		{"own-scope role may not edit another's record", selfServ, ActUpdate, Target{Module: "connections", OwnerID: idAdmin}, false, "may not update connections"},

		// Principals that can do nothing.
		{"deactivated admin is refused everything", withStatus(admin, "deactivated"), ActView, module("staff"), false, "admin@acme.test is deactivated and can do nothing"},
		{"deactivated owner is refused everything", withStatus(owner, "deactivated"), ActChangePayment, module("billing"), false, "is deactivated"},
		{"deactivated advisor may not reach an account toggled on", withStatus(advisor, "deactivated"), ActAccess, account("Payroll", true, folder(acme, added)), false, "is deactivated"},
		{"invited member is refused everything", withStatus(advisor, "invited"), ActView, tAdvisor, false, "is invited"},
		{"unknown principal kind", Actor{Principal: Principal{Kind: "robot"}, Status: "active"}, ActView, module("staff"), false, "unknown principal"},
		{"unknown action", owner, "teleport", module("staff"), false, `unknown action "teleport"`},

		// Connections: switched off refuses all; never more than the creator.
		{"switched-off connection is refused everything", connection(admin, "Zapier", false, viewerPerms), ActView, module("staff"), false, `Connection "Zapier" is switched off`},
		{"switched-off connection may not reach an account", connection(owner, "Backup", false, BuiltinPermissions("owner")), ActAccess, account("Payroll", true, folder(acme)), false, "switched off"},
		{"connection of a deactivated creator is refused", connection(withStatus(admin, "deactivated"), "Zapier", true, viewerPerms), ActView, module("staff"), false, "its creator admin@acme.test is deactivated"},
		{"connection views within its scope", connection(admin, "Zapier", true, viewerPerms), ActView, folder(acme), true, "all client folders"},
		{"connection may not create outside its scope", connection(admin, "Zapier", true, viewerPerms), ActCreate, module("clients"), false, "may not create clients"},
		{"connection may not manage access outside its scope", connection(admin, "Zapier", true, viewerPerms), ActManageAccess, folder(acme), false, "may not update access"},
		{"advisor's connection never exceeds the advisor", connection(advisor, "Sync", true, BuiltinPermissions("owner")), ActView, folder(acme), false, "not added to Acme Ltd"},
		{"advisor's connection may not create staff", connection(advisor, "Sync", true, BuiltinPermissions("owner")), ActCreate, module("staff"), false, "may not create staff"},
		{"advisor's connection may not reach an account toggled off", connection(advisor, "Sync", true, BuiltinPermissions("owner")), ActAccess, account("Payroll", false, folder(acme, added)), false, "toggled off"},
		{"admin's connection may not change billing", connection(admin, "Sync", true, BuiltinPermissions("owner")), ActUpdate, module("billing"), false, "may not update billing"},
		{"owner's read-only connection may not create", connection(owner, "Reader", true, viewerPerms), ActCreate, module("clients"), false, "may not create clients"},
		{"owner's connection may not change the payment method", connection(owner, "Reader", true, BuiltinPermissions("owner")), ActChangePayment, module("billing"), false, "only the Owner"},
		{"owner's connection may not delete the organisation", connection(owner, "Reader", true, BuiltinPermissions("owner")), ActDeleteOrg, module("settings"), false, "only the Owner"},
		{"owner's connection may not transfer ownership", connection(owner, "Reader", true, BuiltinPermissions("owner")), ActTransfer, tAdmin, false, "only the Owner"},
		{"owner's read-only connection may not deactivate", connection(owner, "Reader", true, viewerPerms), ActDeactivate, tAdvisor, false, "may not update staff"},
		{"owner's connection does not reach the internal accounts unadded", connection(owner, "Reader", true, viewerPerms), ActAccess, account("Firm books", true, folder("", internal)), false, "not added to Internal accounts"},
	}
}

func TestDecideTable(t *testing.T) {
	rows := engineRows()
	seen := map[string]bool{}
	for _, r := range rows {
		if seen[r.name] {
			t.Fatalf("duplicate row name %q", r.name)
		}
		seen[r.name] = true
		t.Run(r.name, r.check)
	}
	if len(rows) < 150 {
		t.Fatalf("only %d rows", len(rows))
	}
}

// TestDecideAlwaysGivesAReason: a decision without a reason cannot be shown
// to the person who asked.
func TestDecideAlwaysGivesAReason(t *testing.T) {
	for _, r := range engineRows() {
		d := Decide(r.actor, r.action, r.target)
		if d.Reason == "" {
			t.Errorf("%s: empty reason", r.name)
		}
	}
}
