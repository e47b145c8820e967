package cli

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	flag "github.com/spf13/pflag"

	"gatehouse/model"
)

func init() {
	register(&command{
		name: "lock", args: "--staff EMAIL | --role ROLE | --connection NAME | --key FINGERPRINT --reason TEXT [--ttl DURATION]",
		summary: "Lock a member, a role, a connection or an SSH key out at once, for an incident.\n" +
			"Their live sessions end within a second, showing the reason; their sign-ins, keys and tokens\n" +
			"are refused until 'unlock' or until the time to live (--ttl: 30m, 2h, 7d) runs out. Audited.",
		example: `gatehouse lock --staff leo.martins@northwind.example --reason "laptop stolen" --ttl 2h`,
		flags: func(fs *flag.FlagSet) {
			fs.String("staff", "", "lock this member (`email`)")
			fs.String("role", "", "lock every member with this `role`")
			fs.String("connection", "", "lock this connection (`name`)")
			fs.String("key", "", "lock this SSH key (its SHA256 `fingerprint`, as ssh-keygen -lf prints it)")
			fs.String("reason", "", "why (`text`, required): audited, and shown to whoever is locked out")
			fs.String("ttl", "", "lift the lock after this `duration` (30m, 2h, 7d; default: until unlock)")
		},
		run: lock,
	})
	register(&command{
		name: "lock list", args: "[--all] [--json]",
		summary: "List the locks in force (--all: every lock made, lifted and expired ones too).",
		example: "gatehouse lock list",
		flags: func(fs *flag.FlagSet) {
			fs.Bool("all", false, "also the locks lifted or expired")
			fs.Bool("json", false, "print JSON")
		},
		run: lockList,
	})
	register(&command{
		name: "unlock", args: "ID",
		summary: "Lift a lock before its time (ID as 'lock list' shows it). Audited.",
		example: "gatehouse unlock 1",
		run:     unlock,
	})
	register(&command{
		name: "sessions list", args: "[--json]",
		summary: "List the live sessions of every process on the database: the app run locally, and each\n" +
			"SSH connection (its app and commands), with who, from where, with which key, since when,\n" +
			"their last input and what runs.",
		example: "gatehouse sessions list",
		flags:   func(fs *flag.FlagSet) { fs.Bool("json", false, "print JSON") },
		run:     sessionsList,
	})
	register(&command{
		name: "sessions end", args: "ID --reason TEXT",
		summary: "End a live session (ID as 'sessions list' shows it): it closes within a second and the\n" +
			"member is shown the reason. An SSH connection closes with all its commands. Audited.",
		example: `gatehouse sessions end 1 --reason "left signed in on a shared screen"`,
		flags: func(fs *flag.FlagSet) {
			fs.String("reason", "", "why (`text`, required): audited, and shown to the member")
		},
		run: sessionsEnd,
	})
}

// parseTTL reads a lock's time to live (model.ParseTTL) as a usage error.
func parseTTL(s string) (time.Duration, error) {
	d, err := model.ParseTTL(s)
	if err != nil {
		return 0, usagef("--ttl %s", strings.TrimPrefix(err.Error(), model.ErrInvalid.Error()+": "))
	}
	return d, nil
}

func lock(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	var in model.LockInput
	for _, kind := range model.LockKinds {
		flagName := kind
		if kind == model.LockStaff {
			flagName = "staff"
		}
		if v := flagString(fs, flagName); v != "" {
			if in.Kind != "" {
				return usagef("lock one thing at a time: --staff, --role, --connection or --key")
			}
			in.Kind, in.Target = kind, v
		}
	}
	if in.Kind == "" {
		return usagef("say what to lock: --staff EMAIL, --role ROLE, --connection NAME or --key FINGERPRINT")
	}
	in.Reason = flagString(fs, "reason")
	if strings.TrimSpace(in.Reason) == "" {
		return usagef("--reason is required: it is audited, and shown to whoever is locked out")
	}
	ttl, err := parseTTL(flagString(fs, "ttl"))
	if err != nil {
		return err
	}
	in.TTL = ttl
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	res, err := svc.Lock(ctx, a.actor(), in)
	if err != nil {
		return err
	}
	a.noteID("lock", res.Lock.ID)
	fmt.Fprintf(a.stdout, "Lock %d: %s %s is %s.\n", res.Lock.ID, lockKindName(res.Lock.Kind), Sanitize(res.Lock.Label), model.LockNotice(res.Lock))
	fmt.Fprintf(a.stdout, "%d live session(s) ended. Lift it with: gatehouse unlock %d\n", res.SessionsEnded, res.Lock.ID)
	return nil
}

func lockKindName(kind string) string {
	switch kind {
	case model.LockStaff:
		return "member"
	case model.LockRole:
		return "role"
	case model.LockConnection:
		return "connection"
	}
	return "key"
}

// lockJSON is a lock as --json prints it.
type lockJSON struct {
	ID       int64  `json:"id"`
	Kind     string `json:"kind"`
	Target   string `json:"target"`
	Reason   string `json:"reason"`
	By       string `json:"by"`
	Created  string `json:"created"`
	Expires  string `json:"expires,omitempty"`
	Lifted   string `json:"lifted,omitempty"`
	LiftedBy string `json:"lifted_by,omitempty"`
	InForce  bool   `json:"in_force"`
}

func lockList(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	locks, err := svc.ListLocks(ctx, a.actor(), flagBool(fs, "all"))
	if err != nil {
		return err
	}
	now := svc.Now()
	if flagBool(fs, "json") {
		out := []lockJSON{}
		for _, l := range locks {
			out = append(out, lockJSON{ID: l.ID, Kind: l.Kind, Target: l.Label, Reason: l.Reason, By: l.CreatedBy,
				Created: timeText(l.CreatedAt), Expires: timeText(l.ExpiresAt), Lifted: timeText(l.LiftedAt), LiftedBy: l.LiftedBy,
				InForce: l.Active(now)})
		}
		return writeJSON(a.stdout, out)
	}
	t := newTable(a.stdout, "ID", "LOCKED", "REASON", "BY", "SINCE", "UNTIL")
	for _, l := range locks {
		t.row(strconv.FormatInt(l.ID, 10), lockKindName(l.Kind)+" "+l.Label, model.Truncate(l.Reason, 60), l.CreatedBy,
			shortTime(l.CreatedAt), lockUntil(l, now))
	}
	t.flush()
	fmt.Fprintf(a.stdout, "%d lock(s)\n", len(locks))
	return nil
}

// lockUntil says until when a lock holds, or what became of it.
func lockUntil(l model.Lock, now time.Time) string {
	switch {
	case !l.LiftedAt.IsZero():
		return "lifted " + shortTime(l.LiftedAt) + " by " + l.LiftedBy
	case !l.ExpiresAt.IsZero() && !now.Before(l.ExpiresAt):
		return "expired " + shortTime(l.ExpiresAt)
	case !l.ExpiresAt.IsZero():
		return shortTime(l.ExpiresAt)
	}
	return "unlock"
}

// idArg reads an ID argument.
func idArg(what, s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id < 1 {
		return 0, usagef("%s is a number, as the list shows it", what)
	}
	return id, nil
}

func unlock(ctx context.Context, a *app, _ *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "ID"); err != nil {
		return err
	}
	id, err := idArg("ID", args[0])
	if err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	l, err := svc.Unlock(ctx, a.actor(), id)
	if err != nil {
		return err
	}
	a.noteID("lock", l.ID)
	fmt.Fprintf(a.stdout, "Lock %d on %s %s lifted: they may sign in again.\n", l.ID, lockKindName(l.Kind), Sanitize(l.Label))
	return nil
}

// sessionJSON is a live session as --json prints it.
type sessionJSON struct {
	ID          int64  `json:"id"`
	Kind        string `json:"kind"`
	Member      string `json:"member,omitempty"`
	Connection  string `json:"connection,omitempty"`
	Address     string `json:"address,omitempty"`
	Fingerprint string `json:"fingerprint,omitempty"`
	Origin      string `json:"origin"`
	Since       string `json:"since"`
	LastInput   string `json:"last_input"`
	Doing       string `json:"doing"`
	Process     string `json:"process"`
	Ending      string `json:"ending,omitempty"`
}

func sessionsList(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args); err != nil {
		return err
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	xs, err := svc.ListSessions(ctx, a.actor())
	if err != nil {
		return err
	}
	if flagBool(fs, "json") {
		out := []sessionJSON{}
		for _, x := range xs {
			j := sessionJSON{ID: x.ID, Kind: x.Kind, Address: x.Address, Fingerprint: x.Fingerprint, Origin: x.Origin,
				Since: timeText(x.StartedAt), LastInput: timeText(x.LastInput), Doing: x.Doing, Process: x.Process, Ending: x.EndReason}
			if x.StaffID != 0 {
				j.Member = x.Email
			} else {
				j.Connection = x.Name
			}
			out = append(out, j)
		}
		return writeJSON(a.stdout, out)
	}
	t := newTable(a.stdout, "ID", "WHO", "FROM", "KEY", "SINCE", "LAST INPUT", "DOING")
	for _, x := range xs {
		who := x.Email
		if x.StaffID == 0 {
			who = "connection " + x.Name
		}
		from := x.Address
		if from == "" {
			from = x.Origin + " (" + x.Process + ")"
		}
		key := x.Fingerprint
		if key == "" {
			key = "-"
		}
		doing := x.Doing
		if x.EndReason != "" {
			doing = "ending: " + x.EndReason
		}
		t.row(strconv.FormatInt(x.ID, 10), who, from, key, shortTime(x.StartedAt), shortTime(x.LastInput), doing)
	}
	t.flush()
	fmt.Fprintf(a.stdout, "%d live session(s)\n", len(xs))
	return nil
}

func sessionsEnd(ctx context.Context, a *app, fs *flag.FlagSet, args []string) error {
	if err := wantArgs(args, "ID"); err != nil {
		return err
	}
	id, err := idArg("ID", args[0])
	if err != nil {
		return err
	}
	reason := flagString(fs, "reason")
	if strings.TrimSpace(reason) == "" {
		return usagef("--reason is required: it is audited, and shown to the member")
	}
	svc, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	x, err := svc.EndSession(ctx, a.actor(), id, reason)
	if err != nil {
		return err
	}
	a.noteID("session", id)
	who := x.Email
	if x.StaffID == 0 {
		who = "connection " + x.Name
	}
	fmt.Fprintf(a.stdout, "Session %d of %s ended; it closes within a second, showing: %s\n", x.ID, Sanitize(who), Sanitize(x.EndReason))
	return nil
}
