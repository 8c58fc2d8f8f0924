package framework

import (
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// Every failure message and report entry reaches Ginkgo (and so the
// console and every report) through the redactor. This test reads the
// module's source and fails when a call site could bypass it:
//
//   - ginkgo's Fail and AbortSuite take a string literal or the result of a
//     Redact call; only redact.go calls them otherwise (RedactedFail);
//   - AddReportEntry attaches an exchange's lazyEvidence(), whose Evidence
//     is redacted when worked out, or the result of a Redact call;
//   - Gomega's fail handler is RedactedFail.
func TestEveryFailureGoesThroughTheRedactor(t *testing.T) {
	root := filepath.Join("..", "..")
	fset := gotoken.NewFileSet()
	checked := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && strings.HasPrefix(d.Name(), ".") && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		file, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		checked++
		ast.Inspect(file, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			name := ginkgoName(call.Fun)
			where := fset.Position(call.Pos())
			switch name {
			case "Fail", "AbortSuite":
				if filepath.Base(path) == "redact.go" || len(call.Args) > 0 && (isStringLit(call.Args[0]) || callsNamed(call.Args[0], "Redact")) {
					return true
				}
				t.Errorf("%s: %s with a message that is not redacted: use RedactedFail or %s(env.Redact(...))", where, name, name)
			case "AddReportEntry":
				if len(call.Args) < 2 || !callsNamed(call.Args[1], "lazyEvidence") && !callsNamed(call.Args[1], "Redact") {
					t.Errorf("%s: AddReportEntry of something other than an exchange's lazyEvidence() or a Redact call", where)
				}
			case "RegisterFailHandler":
				if len(call.Args) != 1 || ginkgoName(call.Args[0]) != "RedactedFail" {
					t.Errorf("%s: Gomega's fail handler must be framework.RedactedFail", where)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked < 20 {
		t.Fatalf("checked only %d files: the walk did not find the module's source", checked)
	}
}

// ginkgoName is the called name when it is a bare identifier (a dot
// import) or a selector on a package (ginkgo.Fail, gomega.RegisterFailHandler,
// framework.RedactedFail); "" for a method call on a value (t.Fail()).
func ginkgoName(fun ast.Expr) string {
	switch f := fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		if pkg, ok := f.X.(*ast.Ident); ok && (pkg.Name == "ginkgo" || pkg.Name == "gomega" || pkg.Name == "framework" || pkg.Name == "f") {
			return f.Sel.Name
		}
	}
	return ""
}

func isStringLit(e ast.Expr) bool {
	lit, ok := e.(*ast.BasicLit)
	return ok && lit.Kind == gotoken.STRING
}

// callsNamed reports whether e is a call of a function or method name.
func callsNamed(e ast.Expr, name string) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return f.Name == name
	case *ast.SelectorExpr:
		return f.Sel.Name == name
	}
	return false
}
