// seedcheck: reads syzkaller programs (seeds) the way syzkaller does. It compiles syzkaller's
// sys/linux descriptions plus extra description files for linux/amd64 with pkg/compiler, builds the
// prog.Target from the result in memory, and deserializes every program in strict mode.
// usage: seedcheck -base SYZKALLER/sys/linux -consts EXTRA.const EXTRA.txt... -- SEED.syz...
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/google/syzkaller/pkg/ast"
	"github.com/google/syzkaller/pkg/compiler"
	"github.com/google/syzkaller/prog"
	"github.com/google/syzkaller/sys/targets"
)

func main() {
	base := flag.String("base", "", "syzkaller's sys/linux")
	extraConsts := flag.String("consts", "", "the extra description's .const file")
	flag.Parse()
	var descs, seeds []string
	rest := flag.Args()
	for i, a := range rest {
		if a == "--" {
			descs, seeds = rest[:i], rest[i+1:]
			break
		}
	}
	fail := func(pos ast.Pos, msg string) { fmt.Printf("ERROR %v: %v\n", pos, msg); os.Exit(1) }
	desc := ast.ParseGlob(filepath.Join(*base, "*.txt"), fail)
	for _, f := range descs {
		data, err := os.ReadFile(f)
		if err != nil {
			fail(ast.Pos{File: f}, err.Error())
		}
		desc.Nodes = append(desc.Nodes, ast.Parse(data, f, fail).Nodes...)
	}
	consts := compiler.DeserializeConstFile(filepath.Join(*base, "*.const"), fail)
	extra := compiler.DeserializeConstFile(*extraConsts, fail)
	if err := consts.AddArch("amd64", extra.Arch("amd64"), nil); err != nil {
		fail(ast.Pos{File: *extraConsts}, err.Error())
	}
	sysTarget := targets.Get("linux", "amd64")
	values := consts.Arch("amd64")
	res := compiler.Compile(desc, values, sysTarget, func(pos ast.Pos, msg string) {})
	if res == nil {
		fmt.Println("FAIL: the descriptions do not compile for linux/amd64")
		os.Exit(1)
	}
	var cv []prog.ConstValue
	for name, v := range values {
		cv = append(cv, prog.ConstValue{Name: name, Value: v})
	}
	sort.Slice(cv, func(i, j int) bool { return cv[i].Name < cv[j].Name })
	target := &prog.Target{OS: "linux", Arch: "amd64", PtrSize: sysTarget.PtrSize, PageSize: sysTarget.PageSize,
		NumPages: sysTarget.NumPages, DataOffset: sysTarget.DataOffset, Syscalls: res.Syscalls, Resources: res.Resources,
		Types: res.Types, Consts: cv}
	prog.RegisterTarget(target, func(*prog.Target) {}, func(t *prog.Target) { t.MakeDataMmap = func() []*prog.Call { return nil } })
	pt, err := prog.GetTarget("linux", "amd64")
	if err != nil {
		fmt.Println("FAIL:", err)
		os.Exit(1)
	}
	bad := 0
	for _, f := range seeds {
		data, err := os.ReadFile(f)
		if err == nil {
			_, err = pt.Deserialize(data, prog.Strict)
		}
		if err != nil {
			bad++
			fmt.Printf("BAD %v: %v\n", f, err)
		}
	}
	fmt.Printf("seeds: %v read, %v rejected\n", len(seeds), bad)
	if bad != 0 {
		os.Exit(1)
	}
}
