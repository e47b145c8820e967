package model

import (
	"context"
	"crypto/sha1"
	"encoding/base32"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"gatehouse/db"
)

// DemoMember is one member of the demo organisation with the credentials
// to sign in as them (demo data only: fixed passwords and TOTP secrets).
type DemoMember struct {
	Name       string
	Email      string
	Role       string
	Status     string
	Password   string
	TOTPSecret string // "" when the member has no 2FA
}

// DemoInfo describes the demo organisation PopulateDemo created.
type DemoInfo struct {
	Org     string
	Members []DemoMember // the Owner first
	// Things worth trying: an Advisor, a client they were not added to, and
	// an account (CLIENT/ACCOUNT) they reach.
	ExampleAdvisor     string
	ExampleOtherClient string
	ExampleAccount     string
	PendingInvite      string
	ExpiredInvite      string
}

// DefaultDemoSeed is the seed of `gatehouse demo` without --seed.
const DefaultDemoSeed = 1

const demoDomain = "northwind.example"

// demoPerson is a member the demo creates.
type demoPerson struct {
	name, role, dept, origin string
	twoFA                    bool
}

var demoPeople = []demoPerson{
	{name: "Olivia Hart", role: "Owner", twoFA: true, origin: "local terminal"},
	{name: "Marcus Reid", role: "Admin", twoFA: true, origin: "ssh SHA256:mR3dq0vXlq8nE5Vb1yY7cF2kP9sTgHu4wJ6aZ0iLx1o from 10.20.0.14:52114"},
	{name: "Priya Nair", role: "Admin", origin: "local terminal"},
	{name: "Tom Becker", role: "Manager", dept: "Tax", twoFA: true, origin: "local terminal"},
	{name: "Sara Lindqvist", role: "Advisor", dept: "Tax", twoFA: true, origin: "local terminal"},
	{name: "Leo Martins", role: "Advisor", dept: "Tax", origin: "local terminal"},
	{name: "Hannah Cole", role: "Advisor", dept: "Payroll & HR", twoFA: true, origin: "local terminal"},
	{name: "Daniel Okafor", role: "Advisor", dept: "Payroll & HR", origin: "local terminal"},
	{name: "Amelia Brooks", role: "Advisor", dept: "Payroll & HR", origin: "local terminal"},
	{name: "Ethan Wright", role: "Advisor", dept: "Tax", origin: "local terminal"},
	{name: "Grace Kim", role: "Viewer", origin: "local terminal"},
}

// demoClient is a client folder the demo creates; members are added with
// every account on, except those listed in off.
type demoClient struct {
	name, owner, dept string
	accounts          []string
	members           []string          // first names added to the folder
	off               map[string]string // first name -> account toggled off
}

var demoClients = []demoClient{
	{name: "Acme Ltd", owner: "Sara", dept: "Tax", accounts: []string{"Payroll", "Timesheets", "Leave"}, members: []string{"Sara", "Tom"}, off: map[string]string{"Tom": "Leave"}},
	{name: "Birchwood Bakery", owner: "Leo", dept: "Tax", accounts: []string{"Bookkeeping", "VAT Returns"}, members: []string{"Leo", "Ethan"}},
	{name: "Calder & Sons Builders", owner: "Hannah", dept: "Payroll & HR", accounts: []string{"Payroll", "Pensions", "Expenses"}, members: []string{"Hannah"}, off: map[string]string{"Hannah": "Pensions"}},
	{name: "Dunmore Dental Practice", owner: "Daniel", dept: "Payroll & HR", accounts: []string{"Payroll", "Rota"}, members: []string{"Daniel", "Hannah"}},
	{name: "Evergreen Landscaping", owner: "Sara", dept: "Tax", accounts: []string{"Bookkeeping"}, members: []string{"Sara"}},
	{name: "Fairhaven Hotel Group", owner: "Marcus", accounts: []string{"Payroll", "Timesheets", "Leave", "Expenses"}, members: []string{"Marcus", "Amelia"}, off: map[string]string{"Amelia": "Expenses"}},
	{name: "Greystone Legal LLP", owner: "Tom", dept: "Tax", accounts: []string{"Tax Returns", "Bookkeeping"}, members: []string{"Tom", "Sara"}, off: map[string]string{"Sara": "Bookkeeping"}},
	{name: "Harbourside Marine", owner: "Hannah", dept: "Payroll & HR", accounts: []string{"Payroll", "Timesheets"}, members: []string{"Hannah"}},
	{name: "Ironbridge Engineering", owner: "Leo", dept: "Tax", accounts: []string{"Corporation Tax", "VAT Returns", "Payroll"}, members: []string{"Leo"}, off: map[string]string{"Leo": "Payroll"}},
	{name: "Juniper Health Clinic", owner: "Daniel", dept: "Payroll & HR", accounts: []string{"Payroll", "Leave"}, members: []string{"Daniel"}},
	{name: "Kestrel Logistics", owner: "Amelia", dept: "Payroll & HR", accounts: []string{"Payroll", "Timesheets", "Expenses", "Fleet"}, members: []string{"Amelia", "Daniel"}, off: map[string]string{"Daniel": "Fleet"}},
	{name: "Lakeside Veterinary", owner: "Ethan", dept: "Tax", accounts: []string{"Bookkeeping", "VAT Returns"}, members: []string{"Ethan"}},
	{name: "Meridian Architects", owner: "Priya", accounts: []string{"Payroll"}, members: []string{"Priya"}},
	{name: "Northgate Pharmacy", dept: "Tax", accounts: []string{"Bookkeeping", "Payroll"}, members: []string{"Leo"}},
	{name: "Oakfield Academy Trust", owner: "Amelia", dept: "Payroll & HR", accounts: []string{"Payroll", "Pensions", "Supply Staff"}, members: []string{"Amelia"}},
}

// demoInternalAccounts are the firm's own accounts in the internal folder.
var demoInternalAccounts = []string{"Firm Payroll", "Office Banking", "Microsoft 365 Admin"}

func firstName(name string) string { f, _, _ := strings.Cut(name, " "); return f }

func demoEmail(name string) string {
	return strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@" + demoDomain
}

func demoPassword(name string) string { return "demo-" + strings.ToLower(firstName(name)) + "-pass" }

// demoSecret is a fixed TOTP secret per member (160 bits, base32).
func demoSecret(email string) string {
	sum := sha1.Sum([]byte("gatehouse demo totp " + email))
	return base32.StdEncoding.EncodeToString(sum[:])
}

// demoRun is the state of one demo generation: a clock moved forward
// through the past weeks and the members made so far.
type demoRun struct {
	s       *Service
	ctx     context.Context
	sys     Principal
	rng     *rand.Rand
	at      time.Time
	today   time.Time         // midnight UTC of the day the demo is made
	members map[string]Member // by first name
	info    DemoInfo
}

// tick moves the demo clock forward by about d (the seed varies it a little).
func (r *demoRun) tick(d time.Duration) {
	jitter := time.Duration(r.rng.IntN(int(d/time.Minute)/4+1)) * time.Minute
	r.at = r.at.Add(d + jitter)
}

// as is the principal of a demo member acting from their usual origin.
func (r *demoRun) as(first string) Principal {
	m := r.members[first]
	for _, p := range demoPeople {
		if p.name == m.Name {
			return MemberPrincipal(m, p.origin)
		}
	}
	return MemberPrincipal(m, "local terminal")
}

// PopulateDemo fills an empty database with the demo organisation,
// "Northwind Advisory", with the default seed.
func (s *Service) PopulateDemo(ctx context.Context, sys Principal) (DemoInfo, error) {
	return s.PopulateDemoSeed(ctx, sys, DefaultDemoSeed)
}

// PopulateDemoSeed fills an empty database with the demo organisation. It
// goes through the model's own operations with the clock set back over the
// past six weeks, so the audit log holds a realistic history. The same seed
// always gives the same staff, clients and access; the seed picks a few
// extra accounts toggled off and varies the times.
func (s *Service) PopulateDemoSeed(ctx context.Context, sys Principal, seed uint64) (DemoInfo, error) {
	if has, err := s.HasOrg(ctx); err != nil {
		return DemoInfo{}, err
	} else if has {
		return DemoInfo{}, fmt.Errorf("%w: the database already holds an organisation; the demo needs an empty one", ErrRule)
	}
	realNow := s.Now
	defer func() { s.Now = realNow }()
	today := realNow().UTC().Truncate(24 * time.Hour)
	r := &demoRun{s: s, ctx: ctx, sys: sys, rng: rand.New(rand.NewPCG(seed, 0x6761746568)),
		at: today.AddDate(0, 0, -42).Add(9 * time.Hour), today: today, members: map[string]Member{}}
	s.Now = func() time.Time { return r.at }
	r.info.Org = "Northwind Advisory"
	steps := []func() error{r.founding, r.team, r.structure, r.clients, r.internal, r.laterHistory}
	for _, step := range steps {
		if err := step(); err != nil {
			return DemoInfo{}, fmt.Errorf("demo: %w", err)
		}
	}
	if r.at.After(realNow()) {
		return DemoInfo{}, fmt.Errorf("demo: history ran past the present (%s)", r.at)
	}
	for _, p := range demoPeople {
		m, err := db.GetMemberByEmail(ctx, s.db.Read(), demoEmail(p.name))
		if err != nil {
			return DemoInfo{}, fmt.Errorf("demo: %w", err)
		}
		dm := DemoMember{Name: m.Name, Email: m.Email, Role: m.RoleName, Status: m.Status, Password: demoPassword(p.name)}
		if p.twoFA {
			dm.TOTPSecret = demoSecret(m.Email)
		}
		r.info.Members = append(r.info.Members, dm)
	}
	r.info.ExampleAdvisor = demoEmail("Sara Lindqvist")
	r.info.ExampleOtherClient = "Kestrel Logistics"
	r.info.ExampleAccount = "Acme Ltd/Payroll"
	return r.info, nil
}

// founding: the organisation, its Owner with 2FA, the custom roles and the
// departments.
func (r *demoRun) founding() error {
	owner := demoPeople[0]
	m, err := r.s.Setup(r.ctx, r.sys, SetupInput{OrgName: r.info.Org, OwnerName: owner.name, OwnerEmail: demoEmail(owner.name),
		Password: demoPassword(owner.name), Demo: true})
	if err != nil {
		return err
	}
	r.members[firstName(owner.name)] = m
	r.tick(10 * time.Minute)
	if err := r.enrol("Olivia"); err != nil {
		return err
	}
	r.tick(20 * time.Minute)
	if _, err := r.s.CreateRole(r.ctx, r.as("Olivia"), "Manager", roleDescription("Team leads.", demoManagerPerms()), demoManagerPerms()); err != nil {
		return err
	}
	r.tick(5 * time.Minute)
	if _, err := r.s.CreateRole(r.ctx, r.as("Olivia"), "Viewer", roleDescription("Read-only.", demoViewerPerms()), demoViewerPerms()); err != nil {
		return err
	}
	r.tick(15 * time.Minute)
	for _, d := range [][2]string{{"Tax", "Tax returns, VAT and bookkeeping clients"}, {"Payroll & HR", "Payroll, pensions and HR clients"}} {
		if _, err := r.s.CreateDepartment(r.ctx, r.as("Olivia"), d[0], d[1], 0); err != nil {
			return err
		}
		r.tick(3 * time.Minute)
	}
	return nil
}

// roleDescription is a lead sentence and what the grid grants, so that a
// demo role's description never promises more or less than its grid.
func roleDescription(lead string, perms []Permission) string {
	ps, err := NewPermissionSet(perms)
	if err != nil {
		return lead
	}
	return lead + " " + DescribePermissions(ps)
}

func demoManagerPerms() []Permission {
	var ps []Permission
	for _, m := range []Module{ModuleStaff, ModuleClients, ModuleAccounts, ModuleAccess, ModuleAudit} {
		ps = append(ps, Permission{Module: m, Verb: VerbView, Scope: ScopeDepartment})
	}
	return append(ps, Permission{Module: ModuleClients, Verb: VerbUpdate, Scope: ScopeDepartment})
}

func demoViewerPerms() []Permission {
	var ps []Permission
	for _, m := range []Module{ModuleStaff, ModuleClients, ModuleAccounts, ModuleAccess, ModuleRoles, ModuleDepartments, ModuleAudit} {
		ps = append(ps, Permission{Module: m, Verb: VerbView, Scope: ScopeAll})
	}
	return ps
}

// enrol turns on 2FA for a member with their fixed demo secret.
func (r *demoRun) enrol(first string) error {
	m := r.members[first]
	code, err := TOTPCode(demoSecret(m.Email), r.at)
	if err != nil {
		return err
	}
	if _, err = r.s.ConfirmTOTP(r.ctx, r.as(first), demoSecret(m.Email), code); err != nil {
		return err
	}
	r.members[first], err = r.s.GetMember(r.ctx, r.sys, m.ID)
	return err
}

// signIn records a completed sign-in (the password was checked by whoever
// signed in; the demo need not hash it again).
func (r *demoRun) signIn(first string) error {
	m := r.members[first]
	method := "password"
	if m.TOTPEnabled {
		method = "password+totp"
	}
	origin := r.as(first).Origin
	return r.s.completeSignIn(r.ctx, m, origin, "auth.sign-in", map[string]any{"method": method})
}

// invite has inviter invite a demo person, who accepts some hours later.
func (r *demoRun) invite(inviter string, p demoPerson, role string) error {
	in := InviteInput{Email: demoEmail(p.name), Name: p.name, Role: role,
		Message: "Welcome to Northwind Advisory! Gatehouse is where we manage client access."}
	if p.dept != "" {
		in.Departments = []string{p.dept}
	}
	_, code, err := r.s.Invite(r.ctx, r.as(inviter), in)
	if err != nil {
		return err
	}
	r.tick(3 * time.Hour)
	m, err := r.s.AcceptInvitation(r.ctx, code, demoPassword(p.name), p.origin)
	if err != nil {
		return err
	}
	r.members[firstName(p.name)] = m
	r.tick(10 * time.Minute)
	if p.twoFA {
		if err := r.enrol(firstName(p.name)); err != nil {
			return err
		}
	}
	return nil
}

// team: the Owner invites the Admins; an Admin invites everyone else.
func (r *demoRun) team() error {
	r.at = r.at.Truncate(24 * time.Hour).Add(24*time.Hour + 9*time.Hour)
	for i, p := range demoPeople[1:] {
		inviter, role := "Olivia", p.role
		if p.role != "Admin" {
			inviter = "Marcus"
		}
		if p.name == "Grace Kim" {
			role = "Advisor" // promoted to Viewer later, for the history
		}
		if err := r.invite(inviter, p, role); err != nil {
			return fmt.Errorf("invite %s: %w", p.name, err)
		}
		if i%3 == 2 {
			r.at = r.at.Truncate(24 * time.Hour).Add(24*time.Hour + 9*time.Hour)
		}
	}
	return nil
}

// structure: department heads and the Manager's assigned members.
func (r *demoRun) structure() error {
	r.at = r.at.Truncate(24 * time.Hour).Add(24*time.Hour + 10*time.Hour)
	admin := r.as("Marcus")
	for _, h := range [][2]string{{"Tax", "Tom"}, {"Payroll & HR", "Hannah"}} {
		d, err := db.GetDepartmentByName(r.ctx, r.s.db.Read(), h[0])
		if err != nil {
			return err
		}
		if err := r.s.UpdateDepartment(r.ctx, admin, d.ID, d.Name, d.Description, r.members[h[1]].ID); err != nil {
			return err
		}
		r.tick(5 * time.Minute)
	}
	for _, first := range []string{"Sara", "Leo", "Ethan"} {
		if err := r.s.SetManager(r.ctx, admin, r.members[first].ID, r.members["Tom"].ID); err != nil {
			return err
		}
		r.tick(2 * time.Minute)
	}
	if err := r.s.SetRole(r.ctx, admin, r.members["Grace"].ID, "Viewer"); err != nil {
		return err
	}
	r.tick(time.Hour)
	return nil
}

// clients: the folders, their accounts and who was added with which
// toggles, created by the Admins over a week.
func (r *demoRun) clients() error {
	r.at = r.at.Truncate(24 * time.Hour).Add(24*time.Hour + 9*time.Hour)
	for i, dc := range demoClients {
		creator := "Marcus"
		if i%3 == 1 {
			creator = "Priya"
		}
		p := r.as(creator)
		c, err := r.s.CreateClient(r.ctx, p, ClientInput{Name: dc.name, OwnerID: r.members[dc.owner].ID, Department: dc.dept, Accounts: dc.accounts})
		if err != nil {
			return err
		}
		r.tick(4 * time.Minute)
		accounts, err := db.ListAccounts(r.ctx, r.s.db.Read(), c.ID)
		if err != nil {
			return err
		}
		for _, first := range dc.members {
			if err := r.s.AddToClient(r.ctx, p, c.ID, r.members[first].ID); err != nil {
				return fmt.Errorf("add %s to %s: %w", first, dc.name, err)
			}
			r.tick(2 * time.Minute)
			off := dc.off[first]
			// The seed switches off a few more accounts (never the only one).
			if off == "" && len(accounts) > 1 && r.rng.IntN(5) == 0 {
				off = accounts[1+r.rng.IntN(len(accounts)-1)].Name
			}
			for _, acc := range accounts {
				if acc.Name != off {
					continue
				}
				if err := r.s.SetAccountAccess(r.ctx, p, acc.ID, r.members[first].ID, false); err != nil {
					return err
				}
				r.tick(time.Minute)
			}
		}
		if i%2 == 1 {
			r.at = r.at.Truncate(24 * time.Hour).Add(24*time.Hour + 9*time.Hour)
		}
	}
	return nil
}

// internal: the firm's own accounts, reachable by one Admin.
func (r *demoRun) internal() error {
	r.tick(2 * time.Hour)
	c, err := db.InternalClient(r.ctx, r.s.db.Read())
	if err != nil {
		return err
	}
	for _, name := range demoInternalAccounts {
		if _, err := r.s.AddAccount(r.ctx, r.as("Olivia"), c.ID, name); err != nil {
			return err
		}
		r.tick(2 * time.Minute)
	}
	if err := r.s.AddToClient(r.ctx, r.as("Olivia"), c.ID, r.members["Priya"].ID); err != nil {
		return err
	}
	r.tick(time.Hour)
	return nil
}

// laterHistory: sign-ins, an expired and a pending invitation, a
// revocation, a late grant and a deactivation, spread to the present.
func (r *demoRun) laterHistory() error {
	day := func(n int) { // n days before today, mid-morning
		if t := r.today.AddDate(0, 0, -n).Add(9*time.Hour + 30*time.Minute); t.After(r.at) {
			r.at = t
		}
	}
	day(24)
	r.info.ExpiredInvite = demoEmail("Noah Fischer")
	if _, _, err := r.s.Invite(r.ctx, r.as("Marcus"), InviteInput{Email: r.info.ExpiredInvite, Name: "Noah Fischer", Role: "Advisor", Departments: []string{"Tax"}}); err != nil {
		return err
	}
	r.tick(time.Hour)
	for _, first := range []string{"Olivia", "Marcus", "Sara", "Hannah", "Tom"} {
		if err := r.signIn(first); err != nil {
			return err
		}
		r.tick(40 * time.Minute)
	}
	day(14)
	// Leo also helps on Acme's payroll.
	acme, err := db.GetClientByName(r.ctx, r.s.db.Read(), "Acme Ltd")
	if err != nil {
		return err
	}
	payroll, err := db.GetAccountByName(r.ctx, r.s.db.Read(), acme.ID, "Payroll")
	if err != nil {
		return err
	}
	if err := r.s.Grant(r.ctx, r.as("Marcus"), r.members["Leo"].ID, acme.ID, payroll.ID); err != nil {
		return err
	}
	r.tick(2 * time.Hour)
	day(9)
	// Ethan leaves: his access goes, then his account is deactivated; his
	// clients stay assigned to him until reassigned.
	if _, err := r.s.Revoke(r.ctx, r.as("Priya"), r.members["Ethan"].ID, 0, 0); err != nil {
		return err
	}
	r.tick(5 * time.Minute)
	if err := r.s.Deactivate(r.ctx, r.as("Priya"), r.members["Ethan"].ID); err != nil {
		return err
	}
	r.tick(3 * time.Hour)
	for _, first := range []string{"Priya", "Daniel", "Amelia", "Leo", "Grace"} {
		if err := r.signIn(first); err != nil {
			return err
		}
		r.tick(50 * time.Minute)
	}
	day(2)
	r.info.PendingInvite = demoEmail("Zoe Turner")
	if _, _, err := r.s.Invite(r.ctx, r.as("Priya"), InviteInput{Email: r.info.PendingInvite, Name: "Zoe Turner", Role: "Advisor",
		Departments: []string{"Payroll & HR"}, Message: "Hi Zoe, looking forward to working with you on the payroll clients."}); err != nil {
		return err
	}
	r.tick(time.Hour)
	for _, first := range []string{"Olivia", "Marcus", "Sara", "Hannah"} {
		if err := r.signIn(first); err != nil {
			return err
		}
		r.tick(30 * time.Minute)
	}
	return nil
}
