package model

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

	"gatehouse/db"
)

// GenerateOptions sizes a generated large organisation.
type GenerateOptions struct {
	Seed              uint64
	Staff             int
	Clients           int
	AccountsPerClient int
	Grants            int // folder memberships; each account of the folder is toggled on with probability 0.8
	Audit             int // history entries
	// Varied adds what agreement tests need besides the large shape:
	// random custom roles that together grant every module × action at
	// every scope (held by about one member in four), members in two
	// departments or none, unowned folders and folders without a
	// department, and accounts and members in the internal folder.
	Varied bool
	// Progress is called as each stage advances (done of total rows).
	Progress func(stage string, done, total int)
}

// GenerateStage reports one stage of a generation.
type GenerateStage struct {
	Name    string
	Rows    int
	Elapsed time.Duration
}

// GenerateReport says what was generated and how fast.
type GenerateReport struct {
	OwnerEmail string
	Password   string // every generated member's password (demo data only)
	Stages     []GenerateStage
	Rows       int
	Elapsed    time.Duration
}

// GeneratedPassword is the password of every generated member.
const GeneratedPassword = "gatehouse-large-demo"

// GenerateBase is the fixed "now" of generated history, so that a seed
// always produces the same database.
var GenerateBase = time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)

var (
	firstNames = []string{"Ava", "Ben", "Chloe", "Dan", "Ella", "Finn", "Grace", "Hugo", "Isla", "Jack", "Kate", "Liam", "Maya", "Noah", "Olive", "Paul", "Quinn", "Ruby", "Sam", "Tara", "Uma", "Vik", "Wren", "Xander", "Yara", "Zane"}
	lastNames  = []string{"Anders", "Brown", "Chen", "Dunn", "Evans", "Fox", "Gray", "Hill", "Ivers", "Jones", "King", "Lee", "Moss", "Nash", "Owen", "Patel", "Reid", "Shaw", "Tran", "Vance", "Walsh", "Young"}
	firmWords  = []string{"Harbour", "Summit", "Maple", "Granite", "Willow", "Beacon", "Cedar", "Falcon", "Orchard", "Riverside", "Copper", "Meridian", "Northgate", "Silverline", "Kestrel", "Juniper"}
	firmKinds  = []string{"Bakery", "Builders", "Dental", "Logistics", "Motors", "Studio", "Farms", "Legal", "Clinic", "Cafe", "Engineering", "Retail"}
	firmSuffix = []string{"Ltd", "Limited", "& Co", "Group", "Partners", "Holdings"}
	accountSet = []string{"Payroll", "Timesheets", "Leave", "Expenses", "Rostering", "Invoicing", "Pensions", "Benefits"}
	actions    = []string{"access.add", "access.toggle", "access.toggle", "access.toggle", "access.remove", "client.rename", "staff.set-role", "staff.deactivate", "staff.reactivate", "invitation.create", "auth.sign-in", "auth.sign-in"}
)

// GenerateLarge fills an empty database with a large, deterministic
// organisation for scale testing: staff, client folders, accounts, access
// and a long audit history whose chain verifies. Rows go in through the
// bulk writer (few transactions, prepared statements).
func (s *Service) GenerateLarge(ctx context.Context, sys Principal, o GenerateOptions) (GenerateReport, error) {
	rep := GenerateReport{OwnerEmail: "owner@partners.example", Password: GeneratedPassword}
	if o.Staff < 2 || o.Clients < 1 || o.AccountsPerClient < 1 || o.AccountsPerClient > len(accountSet) {
		return rep, fmt.Errorf("%w: need at least 2 staff, 1 client and 1 to %d accounts per client", ErrInvalid, len(accountSet))
	}
	if o.Progress == nil {
		o.Progress = func(string, int, int) {}
	}
	start := time.Now()
	savedNow := s.Now
	defer func() { s.Now = savedNow }()
	s.Now = func() time.Time { return GenerateBase.Add(-366 * 24 * time.Hour) }
	owner, err := s.Setup(ctx, sys, SetupInput{OrgName: "Large Partner Network", OwnerName: "Olive Owner", OwnerEmail: rep.OwnerEmail, Password: GeneratedPassword, Demo: true})
	if err != nil {
		return rep, err
	}
	hash, err := HashPassword(GeneratedPassword)
	if err != nil {
		return rep, err
	}
	g := &generator{s: s, o: o, rnd: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15)), owner: owner.ID, pwHash: hash}
	bw, err := s.db.NewBulkWriter(ctx)
	if err != nil {
		return rep, err
	}
	g.bw = bw
	stages := []struct {
		name string
		fn   func() (int, error)
	}{
		{"roles and departments", g.rolesAndDepartments},
		{"staff", g.staff},
		{"clients and accounts", g.clients},
		{"access", g.access},
		{"audit history", g.history},
	}
	for _, st := range stages {
		t0 := time.Now()
		n, err := st.fn()
		if err != nil {
			bw.Abort()
			return rep, fmt.Errorf("generate %s: %w", st.name, err)
		}
		rep.Stages = append(rep.Stages, GenerateStage{Name: st.name, Rows: n, Elapsed: time.Since(t0)})
		rep.Rows += n
	}
	if err := bw.Close(); err != nil {
		return rep, err
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

type generator struct {
	s        *Service
	o        GenerateOptions
	rnd      *rand.Rand
	bw       *db.BulkWriter
	owner    int64
	pwHash   string
	managers int64 // role id of "Manager"
	custom   []int64
	depts    []int64
	staffIDs []int64
	emails   []string
	firstCli int64
	firstAcc int64
}

func (g *generator) rolesAndDepartments() (int, error) {
	now := GenerateBase.Add(-365 * 24 * time.Hour).Unix()
	perms := []Permission{{Module: ModuleStaff, Verb: VerbView, Scope: ScopeDepartment}, {Module: ModuleClients, Verb: VerbView, Scope: ScopeDepartment}, {Module: ModuleClients, Verb: VerbUpdate, Scope: ScopeDepartment},
		{Module: ModuleAccounts, Verb: VerbView, Scope: ScopeDepartment}, {Module: ModuleAccess, Verb: VerbUpdate, Scope: ScopeDepartment}, {Module: ModuleAudit, Verb: VerbView, Scope: ScopeDepartment}, {Module: ModuleRoles, Verb: VerbView, Scope: ScopeAll}, {Module: ModuleDepartments, Verb: VerbView, Scope: ScopeAll}}
	res, err := g.bw.Exec(`INSERT INTO roles (name, description, created_at) VALUES ('Manager', ?, ?)`, roleDescription("Team leads.", perms), now)
	if err != nil {
		return 0, err
	}
	g.managers, _ = res.LastInsertId()
	for _, p := range perms {
		if _, err := g.bw.Exec(`INSERT INTO role_permissions (role_id, module, action, scope) VALUES (?, ?, ?, ?)`, g.managers, p.Module.String(), p.Verb.String(), p.Scope.String()); err != nil {
			return 0, err
		}
	}
	n := 9
	for i := 0; i < 20; i++ {
		res, err := g.bw.Exec(`INSERT INTO departments (name, description, created_at) VALUES (?, ?, ?)`, fmt.Sprintf("Region %02d", i+1), "Generated department", now)
		if err != nil {
			return 0, err
		}
		id, _ := res.LastInsertId()
		g.depts = append(g.depts, id)
		n++
	}
	if g.o.Varied {
		k, err := g.customRoles(now)
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// customRoleCount is how many random custom roles a varied organisation
// has; the first four between them grant every cell at every scope.
const customRoleCount = 7

// customRoles makes random custom roles. Role k grants cell (m, v) the
// scope (k + m·5 + v) mod 4 for k < 4, so across those four each cell is
// none, own, department and all once; the rest are drawn at random.
func (g *generator) customRoles(now int64) (int, error) {
	n := 0
	for k := 0; k < customRoleCount; k++ {
		res, err := g.bw.Exec(`INSERT INTO roles (name, description, created_at) VALUES (?, ?, ?)`, fmt.Sprintf("Custom %d", k+1), "Generated custom role (random grid)", now)
		if err != nil {
			return n, err
		}
		id, _ := res.LastInsertId()
		g.custom = append(g.custom, id)
		n++
		for _, m := range Modules {
			for _, v := range Verbs {
				s := Scope((k + int(m)*5 + int(v)) % 4)
				if k >= 4 {
					s = Scope(g.rnd.IntN(4))
				}
				if s == ScopeNone {
					continue
				}
				if _, err := g.bw.Exec(`INSERT INTO role_permissions (role_id, module, action, scope) VALUES (?, ?, ?, ?)`, id, m.String(), v.String(), s.String()); err != nil {
					return n, err
				}
				n++
			}
		}
	}
	return n, nil
}

func (g *generator) staff() (int, error) {
	total := g.o.Staff - 1
	g.staffIDs = append(g.staffIDs, g.owner)
	g.emails = append(g.emails, "owner@partners.example")
	var lastManager = map[int]int64{}
	n := 0
	for i := 1; i <= total; i++ {
		first, last := firstNames[g.rnd.IntN(len(firstNames))], lastNames[g.rnd.IntN(len(lastNames))]
		email := fmt.Sprintf("%s.%s%d@partners.example", lower(first), lower(last), i)
		role := db.RoleAdvisor
		switch {
		case i%50 == 0, g.o.Varied && i%12 == 0:
			role = db.RoleAdmin
		case i%20 == 1:
			role = g.managers
		case len(g.custom) > 0 && i%4 == 2:
			role = g.custom[g.rnd.IntN(len(g.custom))]
		}
		status := "active"
		if i%50 == 7 {
			status = "deactivated"
		}
		dept := i % len(g.depts)
		var manager any
		if role == db.RoleAdvisor {
			if m, ok := lastManager[dept]; ok {
				manager = m
			}
		}
		created := GenerateBase.Add(-time.Duration(365-g.rnd.IntN(360)) * 24 * time.Hour).Unix()
		lastActive := GenerateBase.Add(-time.Duration(g.rnd.IntN(30*24)) * time.Hour).Unix()
		res, err := g.bw.Exec(`INSERT INTO staff (name, email, email_key, role_id, status, manager_id, password_hash, last_active, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			first+" "+last, email, EmailKey(email), role, status, manager, g.pwHash, lastActive, created)
		if err != nil {
			return n, err
		}
		id, _ := res.LastInsertId()
		if role == g.managers {
			lastManager[dept] = id
		}
		depts := []int64{g.depts[dept]}
		if g.o.Varied {
			switch i % 9 {
			case 4:
				depts = append(depts, g.depts[(dept+1)%len(g.depts)])
			case 5:
				depts = nil
			}
		}
		for _, d := range depts {
			if _, err := g.bw.Exec(`INSERT INTO staff_departments (staff_id, department_id) VALUES (?, ?)`, id, d); err != nil {
				return n, err
			}
		}
		g.staffIDs = append(g.staffIDs, id)
		g.emails = append(g.emails, email)
		n += 2
		if i%1000 == 0 {
			g.o.Progress("staff", i, total)
		}
	}
	g.o.Progress("staff", total, total)
	return n, nil
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

func (g *generator) clientName(i int) string {
	return fmt.Sprintf("%s %s %s %d", firmWords[g.rnd.IntN(len(firmWords))], firmKinds[g.rnd.IntN(len(firmKinds))], firmSuffix[g.rnd.IntN(len(firmSuffix))], i)
}

func (g *generator) clients() (int, error) {
	n := 0
	for i := 1; i <= g.o.Clients; i++ {
		var owner, dept any = g.staffIDs[g.rnd.IntN(len(g.staffIDs))], g.depts[g.rnd.IntN(len(g.depts))]
		if g.o.Varied && i%6 == 0 {
			owner = nil
		}
		if g.o.Varied && i%8 == 3 {
			dept = nil
		}
		created := GenerateBase.Add(-time.Duration(365-g.rnd.IntN(360)) * 24 * time.Hour).Unix()
		res, err := g.bw.Exec(`INSERT INTO clients (name, owner_id, department_id, internal, created_at) VALUES (?, ?, ?, 0, ?)`, g.clientName(i), owner, dept, created)
		if err != nil {
			return n, err
		}
		id, _ := res.LastInsertId()
		if i == 1 {
			g.firstCli = id
		}
		for k := 0; k < g.o.AccountsPerClient; k++ {
			res, err := g.bw.Exec(`INSERT INTO accounts (client_id, name, created_at) VALUES (?, ?, ?)`, id, accountSet[k], created)
			if err != nil {
				return n, err
			}
			if i == 1 && k == 0 {
				g.firstAcc, _ = res.LastInsertId()
			}
		}
		n += 1 + g.o.AccountsPerClient
		if i%5000 == 0 {
			g.o.Progress("clients", i, g.o.Clients)
		}
	}
	g.o.Progress("clients", g.o.Clients, g.o.Clients)
	return n, nil
}

func (g *generator) access() (int, error) {
	n := 0
	done := 0
	for attempts := 0; done < g.o.Grants && attempts < g.o.Grants*3; attempts++ {
		staff := g.staffIDs[1+g.rnd.IntN(len(g.staffIDs)-1)]
		client := g.firstCli + int64(g.rnd.IntN(g.o.Clients))
		res, err := g.bw.Exec(`INSERT OR IGNORE INTO client_members (client_id, staff_id, added_at) VALUES (?, ?, ?)`, client, staff, GenerateBase.Add(-24*time.Hour).Unix())
		if err != nil {
			return n, err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			continue
		}
		done++
		n++
		// Each client's accounts were inserted right after it, so their ids
		// are consecutive from the first account's.
		firstAcc := g.firstAcc + (client-g.firstCli)*int64(g.o.AccountsPerClient)
		for k := 0; k < g.o.AccountsPerClient; k++ {
			if g.rnd.IntN(10) < 8 {
				if _, err := g.bw.Exec(`INSERT INTO account_access (account_id, staff_id, client_id) VALUES (?, ?, ?)`, firstAcc+int64(k), staff, client); err != nil {
					return n, err
				}
				n++
			}
		}
		if done%20000 == 0 {
			g.o.Progress("access", done, g.o.Grants)
		}
	}
	g.o.Progress("access", done, g.o.Grants)
	if g.o.Varied {
		k, err := g.internalAccess()
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// internalAccess gives the internal folder two accounts and a member
// other than the Owner as its responsible person, and adds every fifth
// member to it, each account toggled on at random.
func (g *generator) internalAccess() (int, error) {
	var folder int64
	if err := g.bw.Tx().QueryRow(`SELECT id FROM clients WHERE internal = 1`).Scan(&folder); err != nil {
		return 0, fmt.Errorf("internal folder: %w", err)
	}
	// Being responsible for the internal folder does not make it seen:
	// only the Owner and the members added to it see it.
	// The rule is walked when the member's own or department scope would
	// otherwise cover a folder they are responsible for.
	if _, err := g.bw.Exec(`UPDATE clients SET owner_id = COALESCE((SELECT s.id FROM staff s JOIN role_permissions rp ON rp.role_id = s.role_id
		WHERE rp.module = 'clients' AND rp.action = 'view' AND rp.scope IN ('own', 'department') ORDER BY s.id LIMIT 1), owner_id) WHERE id = ?`, folder); err != nil {
		return 0, err
	}
	n := 0
	var accs []int64
	for _, name := range []string{"Office Banking", "Own Payroll"} {
		res, err := g.bw.Exec(`INSERT INTO accounts (client_id, name, created_at) VALUES (?, ?, ?)`, folder, name, GenerateBase.Add(-300*24*time.Hour).Unix())
		if err != nil {
			return n, err
		}
		id, _ := res.LastInsertId()
		accs = append(accs, id)
		n++
	}
	for i, staff := range g.staffIDs[1:] {
		if i%5 != 1 {
			continue
		}
		if _, err := g.bw.Exec(`INSERT INTO client_members (client_id, staff_id, added_at) VALUES (?, ?, ?)`, folder, staff, GenerateBase.Add(-24*time.Hour).Unix()); err != nil {
			return n, err
		}
		n++
		for _, acc := range accs {
			if g.rnd.IntN(2) == 0 {
				if _, err := g.bw.Exec(`INSERT INTO account_access (account_id, staff_id, client_id) VALUES (?, ?, ?)`, acc, staff, folder); err != nil {
					return n, err
				}
				n++
			}
		}
	}
	return n, nil
}

func (g *generator) history() (int, error) {
	if g.o.Audit <= 0 {
		return 0, nil
	}
	id, prev, err := db.AuditChainHead(context.Background(), g.bw.Tx())
	if err != nil {
		return 0, err
	}
	span := 365 * 24 * time.Hour
	from := GenerateBase.Add(-span)
	step := span / time.Duration(g.o.Audit)
	for i := 0; i < g.o.Audit; i++ {
		actorIdx := g.rnd.IntN(len(g.staffIDs))
		subjIdx := g.rnd.IntN(len(g.staffIDs))
		client := g.firstCli + int64(g.rnd.IntN(g.o.Clients))
		action := actions[g.rnd.IntN(len(actions))]
		e := db.AuditEntry{
			ID: id + 1, At: from.Add(time.Duration(i) * step), ActorKind: KindMember, ActorID: g.staffIDs[actorIdx], Actor: g.emails[actorIdx],
			Origin: "local terminal", Action: action, PrevHash: prev,
		}
		switch action {
		case "access.add", "access.remove", "access.toggle":
			e.TargetKind, e.TargetID, e.ClientID, e.StaffID = "client", client, client, g.staffIDs[subjIdx]
			e.Target = fmt.Sprintf("client %d / %s", client, g.emails[subjIdx])
			e.Before, e.After = toggleJSON(g.rnd.IntN(2) == 0)
		case "client.rename":
			e.TargetKind, e.TargetID, e.ClientID = "client", client, client
			e.Target = fmt.Sprintf("client %d", client)
			e.Before, e.After = `{"name":"old name"}`, `{"name":"new name"}`
		case "auth.sign-in":
			e.TargetKind, e.TargetID, e.StaffID, e.Target = "staff", g.staffIDs[actorIdx], g.staffIDs[actorIdx], g.emails[actorIdx]
		default:
			e.TargetKind, e.TargetID, e.StaffID, e.Target = "staff", g.staffIDs[subjIdx], g.staffIDs[subjIdx], g.emails[subjIdx]
			e.After = `{"generated":true}`
		}
		e.Hash = db.HashEntry(e)
		if err := g.bw.InsertAuditRaw(e); err != nil {
			return i, err
		}
		id, prev = e.ID, e.Hash
		if i%50000 == 0 {
			g.o.Progress("audit history", i, g.o.Audit)
		}
	}
	g.o.Progress("audit history", g.o.Audit, g.o.Audit)
	return g.o.Audit, nil
}

func toggleJSON(on bool) (string, string) {
	b, _ := json.Marshal(map[string]string{"access": map[bool]string{true: "on", false: "off"}[!on]})
	a, _ := json.Marshal(map[string]string{"access": map[bool]string{true: "on", false: "off"}[on]})
	return string(b), string(a)
}
