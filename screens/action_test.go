package screens

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// An open action runs on its key and is in the help; a closed one is
// left out of the help, and its key runs its refusal (or nothing), never
// its handler.
func TestActionsDispatchAndHelpAgree(t *testing.T) {
	open := true
	var ran, refused []string
	run := func(name string) func() tea.Cmd {
		return func() tea.Cmd { ran = append(ran, name); return nil }
	}
	as := Actions{
		{Binding: key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "always")), Run: run("a")},
		{Binding: key.NewBinding(key.WithKeys("b"), key.WithHelp("b", "gated")), Enabled: func() bool { return open },
			Refused: func() tea.Cmd { refused = append(refused, "b"); return nil }, Run: run("b")},
		{Binding: key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "silent")), Enabled: func() bool { return open }, Run: run("c")},
	}
	if got := hintLine(as.Bindings()...); got != "a always · b gated · c silent" {
		t.Fatalf("hint line while open: %q", got)
	}
	for _, k := range []string{"a", "b", "c"} {
		if _, ok := as.Dispatch(keyMsg(k)); !ok {
			t.Fatalf("%s not dispatched", k)
		}
	}
	if strings.Join(ran, "") != "abc" || len(refused) != 0 {
		t.Fatalf("ran %v, refused %v", ran, refused)
	}

	open, ran = false, nil
	if got := hintLine(as.Bindings()...); got != "a always" {
		t.Fatalf("hint line while closed: %q", got)
	}
	for _, k := range []string{"b", "c"} {
		if _, ok := as.Dispatch(keyMsg(k)); !ok {
			t.Fatalf("closed %s not taken", k)
		}
	}
	if len(ran) != 0 || strings.Join(refused, "") != "b" {
		t.Fatalf("closed: ran %v, refused %v", ran, refused)
	}
	if _, ok := as.Dispatch(keyMsg("z")); ok {
		t.Fatal("a key of no action was taken")
	}
}

// Keys are matched through bindings (key.Matches), never by comparing a
// key message's name: no view calls String on a tea.KeyMsg.
func TestNoKeyMessageComparedByName(t *testing.T) {
	var files []string
	for _, dir := range []string{".", "../tui"} {
		fs, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, fs...)
	}
	checked := 0
	for _, path := range files {
		if strings.HasSuffix(path, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			keys := keyMsgNames(fn)
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "String" {
					return true
				}
				if id, ok := sel.X.(*ast.Ident); ok && keys[id.Name] {
					t.Errorf("%s: %s compares a key by its name; match a keymap binding with key.Matches", fset.Position(call.Pos()), id.Name)
				}
				return true
			})
		}
	}
	if checked < 20 {
		t.Fatalf("only %d files checked", checked)
	}
}

// keyMsgNames are the names fn gives a tea.KeyMsg: its parameters of that
// type and what it asserts to it (km, ok := msg.(tea.KeyMsg); a type
// switch's case tea.KeyMsg).
func keyMsgNames(fn *ast.FuncDecl) map[string]bool {
	isKeyMsg := func(e ast.Expr) bool {
		sel, ok := e.(*ast.SelectorExpr)
		return ok && sel.Sel.Name == "KeyMsg"
	}
	names := map[string]bool{}
	for _, p := range fn.Type.Params.List {
		if isKeyMsg(p.Type) {
			for _, n := range p.Names {
				names[n.Name] = true
			}
		}
	}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		switch s := n.(type) {
		case *ast.AssignStmt:
			if ta, ok := s.Rhs[0].(*ast.TypeAssertExpr); ok && len(s.Rhs) == 1 && isKeyMsg(ta.Type) {
				if id, ok := s.Lhs[0].(*ast.Ident); ok {
					names[id.Name] = true
				}
			}
		case *ast.TypeSwitchStmt:
			as, ok := s.Assign.(*ast.AssignStmt)
			if !ok {
				return true
			}
			for _, c := range s.Body.List {
				for _, typ := range c.(*ast.CaseClause).List {
					if isKeyMsg(typ) {
						names[as.Lhs[0].(*ast.Ident).Name] = true
					}
				}
			}
		}
		return true
	})
	return names
}
