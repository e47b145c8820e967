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

func permsOf(scope Scope, modules []Module, verbs ...Verb) PermissionSet {
	ps := PermissionSet{}
	for _, m := range modules {
		for _, v := range verbs {
			ps.Set(m, v, scope)
		}
	}
	return ps
}

func mergePerms(sets ...PermissionSet) PermissionSet {
	out := PermissionSet{}
	for _, s := range sets {
		for k, v := range s {
			if v > out[k] {
				out[k] = v
			}
		}
	}
	return out
}

var (
	managerPerms  = permsOf(ScopeDepartment, []Module{ModuleStaff, ModuleClients, ModuleAccounts, ModuleAudit}, VerbView)
	viewerPerms   = permsOf(ScopeAll, Modules, VerbView)
	selfServPerms = mergePerms(permsOf(ScopeOwn, []Module{ModuleStaff, ModuleClients, ModuleAccounts, ModuleAudit}, VerbView), permsOf(ScopeOwn, []Module{ModuleStaff}, VerbUpdate))
	staffAdmPerms = permsOf(ScopeAll, []Module{ModuleStaff}, Verbs...)

	rfOwner   = &RoleFacts{ID: 1, Name: "Owner", RoleKind: OwnerRole, Perms: BuiltinPermissions(OwnerRole)}
	rfAdmin   = &RoleFacts{ID: 2, Name: "Admin", RoleKind: AdminRole, Perms: BuiltinPermissions(AdminRole)}
	rfAdvisor = &RoleFacts{ID: 3, Name: "Advisor", RoleKind: AdvisorRole, Perms: BuiltinPermissions(AdvisorRole)}
	// Bookkeeper grants less than an Admin has; Biller grants what no Admin has.
	rfBookkeeper = &RoleFacts{ID: 20, Name: "Bookkeeper", Perms: permsOf(ScopeOwn, []Module{ModuleClients, ModuleAccounts}, VerbView)}
	rfBiller     = &RoleFacts{ID: 21, Name: "Biller", Perms: permsOf(ScopeAll, []Module{ModuleBilling}, VerbView, VerbUpdate)}
)

func mkActor(id int64, email, role string, kind RoleKind, ps PermissionSet, depts ...int64) Actor {
	return Actor{
		Principal: Principal{Kind: KindMember, StaffID: id, Label: email, Origin: "test"},
		Name:      email, Email: email, Role: role, RoleKind: kind, Status: "active", Perms: ps, DeptIDs: depts,
	}
}

var (
	aOwner    = mkActor(idOwner, "owner@acme.test", "Owner", OwnerRole, BuiltinPermissions(OwnerRole))
	aAdmin    = mkActor(idAdmin, "admin@acme.test", "Admin", AdminRole, BuiltinPermissions(AdminRole))
	aAdvisor  = mkActor(idAdvisor, "advisor@acme.test", "Advisor", AdvisorRole, BuiltinPermissions(AdvisorRole))
	aManager  = withAssigned(mkActor(idManager, "manager@acme.test", "Manager", CustomRole, managerPerms, deptSales), idAssigned)
	aViewer   = mkActor(idViewer, "viewer@acme.test", "Viewer", CustomRole, viewerPerms)
	aSelfServ = mkActor(idSelfServ, "self@acme.test", "Self-service", CustomRole, selfServPerms)
	aStaffAdm = mkActor(idStaffAdm, "hr@acme.test", "Staff admin", CustomRole, staffAdmPerms)
	aSystem   = Actor{Principal: System("root"), Role: "Owner", RoleKind: OwnerRole, Status: "active", Perms: BuiltinPermissions(OwnerRole)}
)

func withAssigned(a Actor, ids ...int64) Actor { a.Assigned = ids; return a }

func withStatus(a Actor, status string) Actor { a.Status = status; return a }

// connection is a connection created by creator, allowed scope; its
// permissions are the intersection, as loadActor computes them.
func connActor(creator Actor, name string, on bool, scope PermissionSet) Actor {
	c := creator
	c.Kind, c.ConnectionID, c.Label = KindConnection, 900, name
	c.ConnectionName, c.ConnectionOn = name, on
	c.Perms = scope.Intersect(creator.Perms)
	return c
}

func staffTarget(id int64, email, role string, kind RoleKind, status string, depts ...int64) Target {
	ps := BuiltinPermissions(kind)
	return Target{Module: ModuleStaff, Label: email, Staff: &StaffFacts{ID: id, Name: email, Email: email, Role: role, RoleKind: kind, Status: status, DeptIDs: depts, Perms: ps}}
}

var (
	tOwner    = staffTarget(idOwner, "owner@acme.test", "Owner", OwnerRole, "active")
	tAdmin    = staffTarget(idAdmin, "admin@acme.test", "Admin", AdminRole, "active")
	tAdvisor  = staffTarget(idAdvisor, "advisor@acme.test", "Advisor", AdvisorRole, "active")
	tManager  = staffTarget(idManager, "manager@acme.test", "Manager", CustomRole, "active", deptSales)
	tSelfServ = staffTarget(idSelfServ, "self@acme.test", "Self-service", CustomRole, "active")
	tStaffAdm = staffTarget(idStaffAdm, "hr@acme.test", "Staff admin", CustomRole, "active")
	tPeer     = staffTarget(idPeer, "peer@acme.test", "Advisor", AdvisorRole, "active", deptSales)
	tOutsider = staffTarget(idOutsider, "outsider@acme.test", "Advisor", AdvisorRole, "active", deptTax)
	tAssigned = staffTarget(idAssigned, "assigned@acme.test", "Advisor", AdvisorRole, "active")
	tAdmin2   = staffTarget(idAdmin2, "admin2@acme.test", "Admin", AdminRole, "active")
	tAdminOff = staffTarget(idAdminOff, "gone-admin@acme.test", "Admin", AdminRole, "deactivated")
	tAdvOff   = staffTarget(idAdvOff, "gone@acme.test", "Advisor", AdvisorRole, "deactivated")
)

// withRole is a staff target with the role being given (set-role, invite).
func withRole(t Target, r *RoleFacts) Target { t.Role = r; return t }

// folder builds a client-folder target; the options say how it relates to
// the actor of the row.
func tFolder(name string, opts ...func(*ClientFacts)) Target {
	c := &ClientFacts{ID: 500, Name: name}
	for _, o := range opts {
		o(c)
	}
	return Target{Module: ModuleClients, Label: name, Client: c}
}

func isAdded(c *ClientFacts)    { c.ActorAdded = true }
func isInternal(c *ClientFacts) { c.Internal = true; c.Name = InternalFolderName }
func ownedByMember(id int64, depts ...int64) func(*ClientFacts) {
	return func(c *ClientFacts) { c.OwnerID, c.OwnerDeptIDs = id, depts }
}
func inDeptNamed(id int64, name string) func(*ClientFacts) {
	return func(c *ClientFacts) { c.DeptID, c.DeptName = id, name }
}

// account is one account of a folder, toggled on or off for the actor.
func tAccount(name string, on bool, f Target) Target {
	f.Account = &AccountFacts{ID: 700, Name: name, ActorToggleOn: on}
	f.Label = name
	return f
}

func tModule(m Module) Target { return Target{Module: m, Label: m.String()} }

type engineRow struct {
	name    string
	actor   Actor
	action  Action
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
	key := func(m Module, v Verb) string { return m.String() + "." + v.String() }
	n := 0
	for _, a := range []Actor{aOwner, aAdmin, aAdvisor} {
		for _, m := range Modules {
			for _, v := range Verbs {
				want := true
				switch a.RoleKind {
				case AdminRole:
					// Admins see billing and nothing more of it.
					want = m != ModuleBilling || v == VerbView
				case AdvisorRole:
					want = advisorMay[key(m, v)]
				}
				reason := fmt.Sprintf("may %s %s", v, m)
				if a.RoleKind == AdvisorRole && m == ModuleAudit && v == VerbView {
					reason = "audit log of their own actions"
				}
				if !want {
					reason = fmt.Sprintf("may not %s %s", v, m)
				}
				r := engineRow{actor: a, action: v.Action(), target: tModule(m), allowed: want, reason: reason}
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
		{"owner views an advisor", aOwner, ActView, tAdvisor, true, "all staff"},
		{"admin views the owner", aAdmin, ActView, tOwner, true, "all staff"},
		{"advisor views the owner", aAdvisor, ActView, tOwner, true, "all staff"},
		{"advisor views an admin", aAdvisor, ActView, tAdmin, true, "all staff"},
		{"manager views themselves", aManager, ActView, tManager, true, "themselves"},
		{"manager views a member of their department", aManager, ActView, tPeer, true, "shares a department"},
		{"manager views a member outside their departments", aManager, ActView, tOutsider, false, "departments only"},
		{"manager views a member assigned to them", aManager, ActView, tAssigned, true, "assigned to them"},
		{"manager views the owner", aManager, ActView, tOwner, false, "departments only"},
		{"manager may not update a member of their department", aManager, ActUpdate, tPeer, false, "may not update staff"},
		{"viewer views anyone", aViewer, ActView, tOutsider, true, "all staff"},
		{"viewer may not update", aViewer, ActUpdate, tOutsider, false, "may not update staff"},
		{"viewer may not deactivate", aViewer, ActDeactivate, tOutsider, false, "may not update staff"},
		{"viewer may not remove", aViewer, ActRemove, tOutsider, false, "may not delete staff"},
		{"own-scope role views itself", aSelfServ, ActView, tSelfServ, true, "their own record"},
		{"own-scope role views another", aSelfServ, ActView, tAdvisor, false, "only their own record"},
		{"own-scope role updates itself", aSelfServ, ActUpdate, tSelfServ, true, "their own record"},
		{"own-scope role may not deactivate itself", aSelfServ, ActDeactivate, tSelfServ, false, "themselves"},

		// Editing a member.
		{"owner edits an admin", aOwner, ActUpdate, tAdmin, true, "may update staff"},
		{"owner edits themselves", aOwner, ActUpdate, tOwner, true, "may update staff"},
		{"admin edits an advisor", aAdmin, ActUpdate, tAdvisor, true, "may update staff"},
		{"admin may not edit the owner", aAdmin, ActUpdate, tOwner, false, "may not change or remove the Owner"},
		{"admin edits another admin", aAdmin, ActUpdate, tAdmin2, true, "may update staff"},
		{"staff admin may not edit an admin", aStaffAdm, ActUpdate, tAdmin, false, "may not change an Admin"},
		{"staff admin may not edit the owner", aStaffAdm, ActUpdate, tOwner, false, "may not change or remove the Owner"},
		{"staff admin edits an advisor", aStaffAdm, ActUpdate, tAdvisor, true, "may update staff"},
		{"advisor may not edit anyone", aAdvisor, ActUpdate, tPeer, false, "may not update staff"},
		{"advisor may not edit themselves", aAdvisor, ActUpdate, tAdvisor, false, "may not update staff"},

		// Invitations.
		{"owner invites an admin", aOwner, ActInvite, withRole(tModule(ModuleStaff), rfAdmin), true, "may invite"},
		{"owner invites an advisor", aOwner, ActInvite, withRole(tModule(ModuleStaff), rfAdvisor), true, "may invite"},
		{"owner invites with a custom role", aOwner, ActInvite, withRole(tModule(ModuleStaff), rfBiller), true, "may invite"},
		{"owner may not invite a second owner", aOwner, ActInvite, withRole(tModule(ModuleStaff), rfOwner), false, "exactly one Owner"},
		{"admin invites an advisor", aAdmin, ActInvite, withRole(tModule(ModuleStaff), rfAdvisor), true, "may invite"},
		{"admin may not invite an admin", aAdmin, ActInvite, withRole(tModule(ModuleStaff), rfAdmin), false, "only the Owner makes Admins"},
		{"admin invites with a custom role within their own", aAdmin, ActInvite, withRole(tModule(ModuleStaff), rfBookkeeper), true, "may invite"},
		{"admin may not invite with a role granting more than they have", aAdmin, ActInvite, withRole(tModule(ModuleStaff), rfBiller), false, "update billing at all scope"},
		{"admin may not invite an owner", aAdmin, ActInvite, withRole(tModule(ModuleStaff), rfOwner), false, "exactly one Owner"},
		{"advisor may not invite", aAdvisor, ActInvite, withRole(tModule(ModuleStaff), rfAdvisor), false, "may not create staff"},
		{"manager may not invite", aManager, ActInvite, withRole(tModule(ModuleStaff), rfAdvisor), false, "may not create staff"},
		{"staff admin may not invite with a role granting more than they have", aStaffAdm, ActInvite, withRole(tModule(ModuleStaff), rfAdvisor), false, "may not invite with the role Advisor"},
		{"staff admin may not invite an admin", aStaffAdm, ActInvite, withRole(tModule(ModuleStaff), rfAdmin), false, "only the Owner makes Admins"},

		// Changing roles: only the Owner makes or unmakes Admins.
		{"owner promotes an advisor to admin", aOwner, ActSetRole, withRole(tAdvisor, rfAdmin), true, "may change the role of advisor@acme.test"},
		{"owner demotes an admin", aOwner, ActSetRole, withRole(tAdmin, rfAdvisor), true, "may change the role of admin@acme.test"},
		{"owner gives a custom role", aOwner, ActSetRole, withRole(tAdvisor, rfBiller), true, "may change the role"},
		{"owner may not make a second owner", aOwner, ActSetRole, withRole(tAdmin, rfOwner), false, "exactly one Owner"},
		{"owner may not change their own role", aOwner, ActSetRole, withRole(tOwner, rfAdmin), false, "their own role"},
		{"admin may not promote to admin", aAdmin, ActSetRole, withRole(tAdvisor, rfAdmin), false, "only the Owner makes or unmakes Admins"},
		{"admin may not demote another admin", aAdmin, ActSetRole, withRole(tAdmin2, rfAdvisor), false, "only the Owner makes or unmakes Admins"},
		{"admin gives an advisor a custom role within their own", aAdmin, ActSetRole, withRole(tAdvisor, rfBookkeeper), true, "may change the role of advisor@acme.test"},
		{"admin may not give a role granting more than they have", aAdmin, ActSetRole, withRole(tAdvisor, rfBiller), false, "may not give the role Biller"},
		{"admin may not change the owner's role", aAdmin, ActSetRole, withRole(tOwner, rfAdvisor), false, "transfer of ownership"},
		{"admin may not make anyone owner", aAdmin, ActSetRole, withRole(tAdvisor, rfOwner), false, "exactly one Owner"},
		{"admin may not demote themselves", aAdmin, ActSetRole, withRole(tAdmin, rfAdvisor), false, "their own role"},
		{"advisor may not change roles", aAdvisor, ActSetRole, withRole(tPeer, rfBookkeeper), false, "may not update staff"},
		{"staff admin may not make an admin", aStaffAdm, ActSetRole, withRole(tAdvisor, rfAdmin), false, "only the Owner makes or unmakes Admins"},
		{"staff admin may not unmake an admin", aStaffAdm, ActSetRole, withRole(tAdmin, rfAdvisor), false, "only the Owner makes or unmakes Admins"},
		{"system promotes to admin", aSystem, ActSetRole, withRole(tAdvisor, rfAdmin), true, "Local user root may change the role"},

		// Deactivate, reactivate, remove: never oneself, never the Owner.
		{"owner deactivates an admin", aOwner, ActDeactivate, tAdmin, true, "may deactivate admin@acme.test"},
		{"owner deactivates an advisor", aOwner, ActDeactivate, tAdvisor, true, "may deactivate advisor@acme.test"},
		{"owner may not deactivate themselves", aOwner, ActDeactivate, tOwner, false, "no one may deactivate themselves"},
		{"owner may not remove themselves", aOwner, ActRemove, tOwner, false, "no one may remove themselves"},
		{"owner removes an admin", aOwner, ActRemove, tAdmin, true, "may remove admin@acme.test"},
		{"owner reactivates an admin", aOwner, ActReactivate, tAdminOff, true, "may reactivate gone-admin@acme.test"},
		{"admin deactivates an advisor", aAdmin, ActDeactivate, tAdvisor, true, "may deactivate advisor@acme.test"},
		{"admin deactivates another admin", aAdmin, ActDeactivate, tAdmin2, true, "may deactivate admin2@acme.test"},
		{"admin may not deactivate the owner", aAdmin, ActDeactivate, tOwner, false, "the Owner cannot be deactivated"},
		{"admin may not remove the owner", aAdmin, ActRemove, tOwner, false, "the Owner cannot be removed"},
		{"admin may not deactivate themselves", aAdmin, ActDeactivate, tAdmin, false, "no one may deactivate themselves"},
		{"admin may not remove themselves", aAdmin, ActRemove, tAdmin, false, "no one may remove themselves"},
		{"admin may not reactivate themselves", aAdmin, ActReactivate, tAdmin, false, "no one may reactivate themselves"},
		{"admin removes an advisor", aAdmin, ActRemove, tAdvisor, true, "may remove advisor@acme.test"},
		{"admin reactivates an advisor", aAdmin, ActReactivate, tAdvOff, true, "may reactivate gone@acme.test"},
		{"advisor may not deactivate", aAdvisor, ActDeactivate, tPeer, false, "may not update staff"},
		{"advisor may not reactivate", aAdvisor, ActReactivate, tAdvOff, false, "may not update staff"},
		{"advisor may not remove", aAdvisor, ActRemove, tPeer, false, "may not delete staff"},
		{"advisor may not deactivate the owner", aAdvisor, ActDeactivate, tOwner, false, "may not update staff"},
		{"staff admin deactivates an advisor", aStaffAdm, ActDeactivate, tAdvisor, true, "may deactivate advisor@acme.test"},
		{"staff admin may not deactivate an admin", aStaffAdm, ActDeactivate, tAdmin, false, "may not deactivate an Admin"},
		{"staff admin may not remove an admin", aStaffAdm, ActRemove, tAdmin, false, "may not remove an Admin"},
		{"staff admin may not reactivate an admin", aStaffAdm, ActReactivate, tAdminOff, false, "may not reactivate an Admin"},
		{"staff admin may not remove the owner", aStaffAdm, ActRemove, tOwner, false, "the Owner cannot be removed"},
		{"system may not deactivate the owner", aSystem, ActDeactivate, tOwner, false, "the Owner cannot be deactivated"},
		// Deleting a staff record is removing the member, with the same rules.
		{"owner may not delete their own staff record", aOwner, ActDelete, tOwner, false, "themselves"},
		{"admin may not delete their own staff record", aAdmin, ActDelete, tAdmin, false, "themselves"},
		{"admin may not delete the owner's record", aAdmin, ActDelete, tOwner, false, "Owner"},
		{"admin deletes an advisor's record", aAdmin, ActDelete, tAdvisor, true, "advisor@acme.test"},
		{"staff admin may not delete an admin's record", aStaffAdm, ActDelete, tAdmin, false, "an Admin"},

		// Transfer of ownership: only the Owner, only to an active Admin.
		{"owner transfers to an active admin", aOwner, ActTransfer, tAdmin, true, "an active Admin"},
		{"owner may not transfer to a deactivated admin", aOwner, ActTransfer, tAdminOff, false, "is deactivated"},
		{"owner may not transfer to an advisor", aOwner, ActTransfer, tAdvisor, false, "ownership goes only to an Admin"},
		{"owner may not transfer to a custom role", aOwner, ActTransfer, tManager, false, "ownership goes only to an Admin"},
		{"owner may not transfer to themselves", aOwner, ActTransfer, tOwner, false, "already owns"},
		{"owner may transfer (no target yet)", aOwner, ActTransfer, tModule(ModuleStaff), true, "active Admin"},
		{"admin may not transfer", aAdmin, ActTransfer, tAdmin2, false, "only the Owner transfers ownership"},
		{"admin may not take ownership", aAdmin, ActTransfer, tAdmin, false, "only the Owner transfers ownership"},
		{"advisor may not transfer", aAdvisor, ActTransfer, tAdmin, false, "only the Owner transfers ownership"},
		{"viewer may not transfer", aViewer, ActTransfer, tAdmin, false, "only the Owner transfers ownership"},
		{"system transfers to an active admin", aSystem, ActTransfer, tAdmin, true, "an active Admin"},

		// Client folders.
		{"owner views a folder they are not added to", aOwner, ActView, tFolder(acme), true, "all client folders"},
		{"owner views the internal folder", aOwner, ActView, tFolder("", isInternal), true, "all client folders"},
		{"owner archives a folder", aOwner, ActDelete, tFolder(acme), true, "may delete clients"},
		{"admin views a folder they are not added to", aAdmin, ActView, tFolder(acme), true, "all client folders"},
		{"admin edits a folder", aAdmin, ActUpdate, tFolder(acme), true, "may update clients"},
		{"admin archives a folder", aAdmin, ActDelete, tFolder(acme), true, "may delete clients"},
		{"admin may not view the internal folder when not added", aAdmin, ActView, tFolder("", isInternal), false, "not added to Internal accounts"},
		{"admin views the internal folder when added", aAdmin, ActView, tFolder("", isInternal, isAdded), true, "added to Internal accounts"},
		{"advisor views a folder they were added to", aAdvisor, ActView, tFolder(acme, isAdded), true, "added to Acme Ltd"},
		{"advisor may not view a folder they were not added to", aAdvisor, ActView, tFolder(acme), false, "not added to Acme Ltd"},
		{"advisor does not see a folder they own but were not added to", aAdvisor, ActView, tFolder(acme, ownedByMember(idAdvisor)), false, "not added to Acme Ltd"},
		{"advisor may not view a folder of their department", aAdvisor, ActView, tFolder(acme, inDeptNamed(deptSales, "Sales")), false, "not added to Acme Ltd"},
		{"advisor may not edit a folder they were added to", aAdvisor, ActUpdate, tFolder(acme, isAdded), false, "may not update clients"},
		{"advisor may not archive a folder", aAdvisor, ActDelete, tFolder(acme, isAdded), false, "may not delete clients"},
		{"advisor may not create folders", aAdvisor, ActCreate, tModule(ModuleClients), false, "may not create clients"},
		{"advisor views the internal folder when added", aAdvisor, ActView, tFolder("", isInternal, isAdded), true, "added to Internal accounts"},
		{"advisor may not view the internal folder when not added", aAdvisor, ActView, tFolder("", isInternal), false, "not added to Internal accounts"},
		{"manager views a folder of their department", aManager, ActView, tFolder(acme, inDeptNamed(deptSales, "Sales")), true, "Acme Ltd is in Sales, one of their departments"},
		{"manager may not view a folder of another department", aManager, ActView, tFolder(acme, inDeptNamed(deptTax, "Tax")), false, "not in their departments"},
		{"manager views a folder owned by a member assigned to them", aManager, ActView, tFolder(acme, ownedByMember(idAssigned)), true, "owned by a member assigned to them"},
		{"manager views a folder owned by a member of their department", aManager, ActView, tFolder(acme, ownedByMember(idPeer, deptSales)), true, "owned by a member of their department"},
		{"manager views a folder they were added to", aManager, ActView, tFolder(acme, isAdded, inDeptNamed(deptTax, "Tax")), true, "added to Acme Ltd"},
		{"manager may not view the internal folder of their department", aManager, ActView, tFolder("", isInternal, inDeptNamed(deptSales, "Sales")), false, "not added to Internal accounts"},
		{"manager may not edit a folder of their department", aManager, ActUpdate, tFolder(acme, inDeptNamed(deptSales, "Sales")), false, "may not update clients"},
		{"viewer views any folder", aViewer, ActView, tFolder(acme), true, "all client folders"},
		{"viewer may not view the internal folder when not added", aViewer, ActView, tFolder("", isInternal), false, "not added to Internal accounts"},
		{"viewer may not edit folders", aViewer, ActUpdate, tFolder(acme), false, "may not update clients"},
		{"own-scope role views a folder it owns", aSelfServ, ActView, tFolder(acme, ownedByMember(idSelfServ)), true, "owner of Acme Ltd"},
		{"own-scope role views a folder it was added to", aSelfServ, ActView, tFolder(acme, isAdded), true, "added to Acme Ltd"},
		{"own-scope role may not view other folders", aSelfServ, ActView, tFolder(acme, ownedByMember(idAdvisor)), false, "not added to Acme Ltd"},

		// Reaching accounts.
		{"owner reaches an account toggled off", aOwner, ActAccess, tAccount("Payroll", false, tFolder(acme)), true, "reaches every account"},
		{"owner reaches an internal account without being added", aOwner, ActAccess, tAccount("Firm books", false, tFolder("", isInternal)), true, "reaches every account"},
		{"admin reaches an account of a folder they are not added to", aAdmin, ActAccess, tAccount("Payroll", false, tFolder(acme)), true, "reaches all client accounts"},
		{"admin may not reach an internal account when not added", aAdmin, ActAccess, tAccount("Firm books", true, tFolder("", isInternal)), false, "not added to Internal accounts"},
		{"admin reaches an internal account toggled on", aAdmin, ActAccess, tAccount("Firm books", true, tFolder("", isInternal, isAdded)), true, "Firm books toggled on"},
		{"admin may not reach an internal account toggled off", aAdmin, ActAccess, tAccount("Firm books", false, tFolder("", isInternal, isAdded)), false, "Firm books is toggled off"},
		{"advisor reaches an account toggled on", aAdvisor, ActAccess, tAccount("Payroll", true, tFolder(acme, isAdded)), true, "added to Acme Ltd, Payroll toggled on"},
		{"advisor may not reach an account toggled off", aAdvisor, ActAccess, tAccount("Payroll", false, tFolder(acme, isAdded)), false, "Payroll is toggled off"},
		{"advisor may not reach an account of a folder not added to", aAdvisor, ActAccess, tAccount("Payroll", true, tFolder(acme)), false, "not added to Acme Ltd"},
		{"advisor views an account toggled on", aAdvisor, ActView, tAccount("Payroll", true, tFolder(acme, isAdded)), true, "toggled on"},
		{"advisor may not view an account toggled off", aAdvisor, ActView, tAccount("Payroll", false, tFolder(acme, isAdded)), false, "toggled off"},
		{"advisor reaches an internal account when added and on", aAdvisor, ActAccess, tAccount("Firm books", true, tFolder("", isInternal, isAdded)), true, "toggled on"},
		{"advisor may not reach an internal account when not added", aAdvisor, ActAccess, tAccount("Firm books", true, tFolder("", isInternal)), false, "not added to Internal accounts"},
		{"advisor reaches a folder they were added to", aAdvisor, ActAccess, tFolder(acme, isAdded), true, "added to Acme Ltd"},
		{"advisor may not rename an account", aAdvisor, ActUpdate, tAccount("Payroll", true, tFolder(acme, isAdded)), false, "may not update accounts"},
		{"admin renames an account", aAdmin, ActUpdate, tAccount("Payroll", false, tFolder(acme)), true, "may update accounts"},
		{"manager reaches an account of a department folder", aManager, ActAccess, tAccount("Payroll", false, tFolder(acme, inDeptNamed(deptSales, "Sales"))), true, "one of their departments"},
		{"manager's department reach is not narrowed by being added", aManager, ActAccess, tAccount("Payroll", false, tFolder(acme, isAdded, inDeptNamed(deptSales, "Sales"))), true, "one of their departments"},
		{"manager may not reach an account of another department", aManager, ActAccess, tAccount("Payroll", true, tFolder(acme, inDeptNamed(deptTax, "Tax"))), false, "not added to Acme Ltd"},
		{"manager reaches an account toggled on in a folder added to", aManager, ActAccess, tAccount("Payroll", true, tFolder(acme, isAdded, inDeptNamed(deptTax, "Tax"))), true, "Payroll toggled on"},
		{"manager may not reach an account toggled off outside their departments", aManager, ActAccess, tAccount("Payroll", false, tFolder(acme, isAdded, inDeptNamed(deptTax, "Tax"))), false, "toggled off"},
		{"manager reaches accounts of an assigned member's folder", aManager, ActAccess, tAccount("Payroll", false, tFolder(acme, ownedByMember(idAssigned))), true, "assigned to them"},
		{"viewer reaches any client account", aViewer, ActAccess, tAccount("Payroll", false, tFolder(acme)), true, "reaches all client accounts"},
		{"viewer may not reach an internal account when not added", aViewer, ActAccess, tAccount("Firm books", true, tFolder("", isInternal)), false, "not added to Internal accounts"},
		{"own-scope role may not reach a folder it was not added to", aSelfServ, ActAccess, tAccount("Payroll", true, tFolder(acme)), false, "not added to Acme Ltd"},

		// Managing who reaches a client.
		{"owner manages access to a folder", aOwner, ActManageAccess, tFolder(acme), true, "may manage access to Acme Ltd"},
		{"owner manages access to the internal accounts", aOwner, ActManageAccess, tFolder("", isInternal), true, "may manage access to Internal accounts"},
		{"admin manages access to a folder not added to", aAdmin, ActManageAccess, tFolder(acme), true, "may manage access to Acme Ltd"},
		{"admin manages access to a folder added to", aAdmin, ActManageAccess, tFolder(acme, isAdded), true, "may manage access to Acme Ltd"},
		{"admin may not manage access to the internal accounts", aAdmin, ActManageAccess, tFolder("", isInternal, isAdded), false, "only the Owner manages who reaches the internal accounts"},
		{"admin may not manage access to the internal accounts when not added", aAdmin, ActManageAccess, tFolder("", isInternal), false, "not added to Internal accounts"},
		{"advisor may not manage access", aAdvisor, ActManageAccess, tFolder(acme, isAdded), false, "may not update access"},
		{"manager may not manage access", aManager, ActManageAccess, tFolder(acme, inDeptNamed(deptSales, "Sales")), false, "may not update access"},
		{"viewer may not manage access", aViewer, ActManageAccess, tFolder(acme), false, "may not update access"},

		// Billing, payment, the organisation.
		{"owner changes the payment method", aOwner, ActChangePayment, tModule(ModuleBilling), true, "only the Owner may change the payment method"},
		{"admin may not change the payment method", aAdmin, ActChangePayment, tModule(ModuleBilling), false, "only the Owner may change the payment method"},
		{"advisor may not change the payment method", aAdvisor, ActChangePayment, tModule(ModuleBilling), false, "only the Owner"},
		{"viewer may not change the payment method", aViewer, ActChangePayment, tModule(ModuleBilling), false, "only the Owner"},
		{"owner deletes the organisation", aOwner, ActDeleteOrg, tModule(ModuleSettings), true, "delete the organisation"},
		{"admin may not delete the organisation", aAdmin, ActDeleteOrg, tModule(ModuleSettings), false, "only the Owner may delete the organisation"},
		{"advisor may not delete the organisation", aAdvisor, ActDeleteOrg, tModule(ModuleSettings), false, "only the Owner"},
		{"system changes the payment method", aSystem, ActChangePayment, tModule(ModuleBilling), true, "Local user root"},
		{"admin views billing", aAdmin, ActView, tModule(ModuleBilling), true, "may view billing"},
		{"advisor may not view billing", aAdvisor, ActView, tModule(ModuleBilling), false, "may not view billing"},
		{"viewer views billing", aViewer, ActView, tModule(ModuleBilling), true, "may view billing"},

		// Roles, departments, settings, connections, audit.
		{"admin creates a role within their own", aAdmin, ActCreate, withRole(tModule(ModuleRoles), rfBookkeeper), true, "may create roles"},
		{"admin may not create a role granting more than they have", aAdmin, ActCreate, withRole(tModule(ModuleRoles), rfBiller), false, "may not make a role that grants update billing"},
		{"owner creates a role granting billing", aOwner, ActCreate, withRole(tModule(ModuleRoles), rfBiller), true, "may create roles"},
		{"owner may not edit a built-in role", aOwner, ActUpdate, withRole(tModule(ModuleRoles), rfAdvisor), false, "built-in roles cannot be changed"},
		{"admin may not delete a built-in role", aAdmin, ActDelete, withRole(tModule(ModuleRoles), rfAdmin), false, "built-in roles cannot be changed"},
		{"advisor views roles", aAdvisor, ActView, withRole(tModule(ModuleRoles), rfAdmin), true, "may view roles"},
		{"advisor may not create roles", aAdvisor, ActCreate, withRole(tModule(ModuleRoles), rfBookkeeper), false, "may not create roles"},
		{"admin edits departments", aAdmin, ActUpdate, tModule(ModuleDepartments), true, "may update departments"},
		{"advisor may not edit departments", aAdvisor, ActUpdate, tModule(ModuleDepartments), false, "may not update departments"},
		{"admin edits settings", aAdmin, ActUpdate, tModule(ModuleSettings), true, "may update settings"},
		{"advisor may not edit settings", aAdvisor, ActUpdate, tModule(ModuleSettings), false, "may not update settings"},
		{"admin creates a connection", aAdmin, ActCreate, tModule(ModuleConnections), true, "may create connections"},
		{"admin switches off a connection", aAdmin, ActUpdate, tModule(ModuleConnections), true, "may update connections"},
		{"advisor may not create connections", aAdvisor, ActCreate, tModule(ModuleConnections), false, "may not create connections"},
		{"owner views the whole audit log", aOwner, ActView, tModule(ModuleAudit), true, "(all)"},
		{"admin views the whole audit log", aAdmin, ActView, tModule(ModuleAudit), true, "(all)"},
		{"advisor views the audit log of their own actions", aAdvisor, ActView, tModule(ModuleAudit), true, "their own actions"},
		{"manager views the audit log of their departments", aManager, ActView, tModule(ModuleAudit), true, "their departments'"},
		{"viewer may not change the audit log", aViewer, ActDelete, tModule(ModuleAudit), false, "may not delete audit"},
		{"own-scope role may not edit another's record", aSelfServ, ActUpdate, Target{Module: ModuleConnections, OwnerID: idAdmin}, false, "may not update connections"},

		// Principals that can do nothing.
		{"deactivated admin is refused everything", withStatus(aAdmin, "deactivated"), ActView, tModule(ModuleStaff), false, "admin@acme.test is deactivated and can do nothing"},
		{"deactivated owner is refused everything", withStatus(aOwner, "deactivated"), ActChangePayment, tModule(ModuleBilling), false, "is deactivated"},
		{"deactivated advisor may not reach an account toggled on", withStatus(aAdvisor, "deactivated"), ActAccess, tAccount("Payroll", true, tFolder(acme, isAdded)), false, "is deactivated"},
		{"invited member is refused everything", withStatus(aAdvisor, "invited"), ActView, tAdvisor, false, "is invited"},
		{"unknown principal kind", Actor{Principal: Principal{Kind: "robot"}, Status: "active"}, ActView, tModule(ModuleStaff), false, "unknown principal"},
		{"unknown action", aOwner, Action(99), tModule(ModuleStaff), false, `unknown action`},

		// Connections: switched off refuses all; never more than the creator.
		{"switched-off connection is refused everything", connActor(aAdmin, "Zapier", false, viewerPerms), ActView, tModule(ModuleStaff), false, `Connection "Zapier" is switched off`},
		{"switched-off connection may not reach an account", connActor(aOwner, "Backup", false, BuiltinPermissions(OwnerRole)), ActAccess, tAccount("Payroll", true, tFolder(acme)), false, "switched off"},
		{"connection of a deactivated creator is refused", connActor(withStatus(aAdmin, "deactivated"), "Zapier", true, viewerPerms), ActView, tModule(ModuleStaff), false, "its creator admin@acme.test is deactivated"},
		{"connection views within its scope", connActor(aAdmin, "Zapier", true, viewerPerms), ActView, tFolder(acme), true, "all client folders"},
		{"connection may not create outside its scope", connActor(aAdmin, "Zapier", true, viewerPerms), ActCreate, tModule(ModuleClients), false, "may not create clients"},
		{"connection may not manage access outside its scope", connActor(aAdmin, "Zapier", true, viewerPerms), ActManageAccess, tFolder(acme), false, "may not update access"},
		{"advisor's connection never exceeds the advisor", connActor(aAdvisor, "Sync", true, BuiltinPermissions(OwnerRole)), ActView, tFolder(acme), false, "not added to Acme Ltd"},
		{"advisor's connection may not create staff", connActor(aAdvisor, "Sync", true, BuiltinPermissions(OwnerRole)), ActCreate, tModule(ModuleStaff), false, "may not create staff"},
		{"advisor's connection may not reach an account toggled off", connActor(aAdvisor, "Sync", true, BuiltinPermissions(OwnerRole)), ActAccess, tAccount("Payroll", false, tFolder(acme, isAdded)), false, "toggled off"},
		{"admin's connection may not change billing", connActor(aAdmin, "Sync", true, BuiltinPermissions(OwnerRole)), ActUpdate, tModule(ModuleBilling), false, "may not update billing"},
		{"owner's read-only connection may not create", connActor(aOwner, "Reader", true, viewerPerms), ActCreate, tModule(ModuleClients), false, "may not create clients"},
		{"owner's connection may not change the payment method", connActor(aOwner, "Reader", true, BuiltinPermissions(OwnerRole)), ActChangePayment, tModule(ModuleBilling), false, "only the Owner"},
		{"owner's connection may not delete the organisation", connActor(aOwner, "Reader", true, BuiltinPermissions(OwnerRole)), ActDeleteOrg, tModule(ModuleSettings), false, "only the Owner"},
		{"owner's connection may not transfer ownership", connActor(aOwner, "Reader", true, BuiltinPermissions(OwnerRole)), ActTransfer, tAdmin, false, "only the Owner"},
		{"owner's read-only connection may not deactivate", connActor(aOwner, "Reader", true, viewerPerms), ActDeactivate, tAdvisor, false, "may not update staff"},
		{"owner's connection does not reach the internal accounts unadded", connActor(aOwner, "Reader", true, viewerPerms), ActAccess, tAccount("Firm books", true, tFolder("", isInternal)), false, "not added to Internal accounts"},
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
