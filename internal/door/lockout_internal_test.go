package door

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"testing"
	"time"
)

func TestLockoutLength(t *testing.T) {
	tests := []struct {
		base, limit time.Duration
		level       int
		want        time.Duration
	}{
		{time.Minute, time.Hour, 1, time.Minute},
		{time.Minute, time.Hour, 2, 2 * time.Minute},
		{time.Minute, time.Hour, 3, 4 * time.Minute},
		{time.Minute, time.Hour, 7, time.Hour}, // 64m capped
		{time.Minute, time.Hour, maxLevel, time.Hour},
		{5 * time.Minute, 5 * time.Minute, 3, 5 * time.Minute},
		{24 * time.Hour, 168 * time.Hour, maxLevel, 168 * time.Hour},
		{0, time.Hour, 5, 0}, // lockout_for 0: the call only
	}
	for _, tt := range tests {
		if got := lockoutLength(tt.base, tt.level, tt.limit); got != tt.want {
			t.Errorf("lockoutLength(%s, %d, %s) = %s, want %s", tt.base, tt.level, tt.limit, got, tt.want)
		}
	}
}

// TestLockoutMemoryBound: however many caller IDs guess, at most maxCallers records are
// kept, and the ones evicted are those that matter least.
func TestLockoutMemoryBound(t *testing.T) {
	d := Defaults().Door
	d.MaxAttempts = 1
	d.LockoutGlobal = 0
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name       string
		locked     int // of the first maxCallers callers, this many (the first) are locked out
		extra      int // callers after the memory is full
		wantGone   []string
		wantKept   []string
		wantLocked int // records still locked out at the end
	}{
		{name: "unlocked records go first, oldest first", locked: 10, extra: 5,
			wantGone: []string{"c10", "c11", "c12", "c13", "c14"}, wantKept: []string{"c0", "c9", "c15", "x4"}, wantLocked: 10},
		// The first newcomer takes the place of the lockout ending first; later ones evict
		// the newcomer before them, so a flood of fresh IDs frees no more locked callers.
		{name: "all locked: the lockout ending first goes", locked: maxCallers, extra: 3,
			wantGone: []string{"c0", "x0", "x1"}, wantKept: []string{"c1", "c255", "x2"}, wantLocked: maxCallers - 1},
		{name: "a flood of caller IDs", locked: 0, extra: 10 * maxCallers,
			wantGone: []string{"c0", "x0"}, wantKept: []string{fmt.Sprintf("x%d", 10*maxCallers-1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l lockouts
			now := t0
			for i := range maxCallers {
				now = now.Add(time.Second)
				r := l.wrong(fmt.Sprintf("c%d", i), now, d)
				if i < tt.locked {
					l.lock(r, now, d)
				}
			}
			for i := range tt.extra {
				now = now.Add(time.Second)
				l.wrong(fmt.Sprintf("x%d", i), now, d)
			}
			if len(l.callers) > maxCallers {
				t.Fatalf("%d records, want at most %d", len(l.callers), maxCallers)
			}
			for _, k := range tt.wantGone {
				if l.callers[k] != nil {
					t.Errorf("%s kept, want evicted", k)
				}
			}
			for _, k := range tt.wantKept {
				if l.callers[k] == nil {
					t.Errorf("%s evicted, want kept", k)
				}
			}
			n := 0
			for _, r := range l.callers {
				if r.until.After(now) {
					n++
				}
			}
			if n != tt.wantLocked {
				t.Errorf("%d locked records, want %d", n, tt.wantLocked)
			}
		})
	}
}

// TestCodeCompareConstantTime guards the constant-time compare by reading the source: a
// timing test would be flaky on a loaded machine, and the risk is a later edit that
// compares the code with == (which stops at the first wrong digit).
func TestCodeCompareConstantTime(t *testing.T) {
	fset := token.NewFileSet()
	calls := map[string]map[string]bool{} // function -> called names
	compares := map[string]int{}          // function -> == / != on strings or bytes naming the code
	for _, file := range []string{"config.go", "doorcode.go"} {
		f, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			name := fn.Name.Name
			calls[name] = map[string]bool{}
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					switch f := n.Fun.(type) {
					case *ast.Ident:
						calls[name][f.Name] = true
					case *ast.SelectorExpr:
						if x, ok := f.X.(*ast.Ident); ok {
							calls[name][x.Name+"."+f.Sel.Name] = true
						}
					}
				case *ast.BinaryExpr:
					if n.Op == token.EQL || n.Op == token.NEQ {
						for _, side := range []ast.Expr{n.X, n.Y} {
							// want == "" is the code being unset, not a compare with it.
							if lit, ok := other(n, side).(*ast.BasicLit); ok && lit.Value == `""` {
								continue
							}
							if id, ok := side.(*ast.Ident); ok && id.Name == "want" {
								compares[name]++
							}
						}
					}
				}
				return true
			})
		}
	}
	if !calls["codeMatches"]["subtle.ConstantTimeCompare"] {
		t.Error("codeMatches does not use subtle.ConstantTimeCompare")
	}
	if !calls["onDigit"]["codeMatches"] {
		t.Error("onDigit does not compare the code with codeMatches")
	}
	for fn, n := range compares {
		t.Errorf("%s compares the code with == or != %d times", fn, n)
	}
}

// other returns the side of b that is not side.
func other(b *ast.BinaryExpr, side ast.Expr) ast.Expr {
	if b.X == side {
		return b.Y
	}
	return b.X
}
