// go_copy copies one image with oras-go v2, the Go peer of the copy benchmark
// (scripts/bench/copy_vs_skopeo.ts, OCICTL_BENCH_GO_COPY): `go_copy SRC DST`,
// where each end is `ocidir:<dir>:<tag>` (an OCI layout) or
// `<host>/<repo>:<tag>` (a registry over plain HTTP), as for bare_copy.ts.
//
// Build it with Go 1.23 or later, which oras-go v2.6 needs (a build with
// Go 1.19 and oras-go v2.3 hashed SHA-256 without the CPU's SHA extensions
// and pulled about 1.6x slower): `go mod tidy && go build -o go_copy .`.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content/oci"
	"oras.land/oras-go/v2/registry/remote"
)

// endpoint opens one end of the copy and returns it with its tag.
func endpoint(s string) (oras.Target, string, error) {
	colon := strings.LastIndex(s, ":")
	if colon < 0 {
		return nil, "", fmt.Errorf("no tag in %q", s)
	}
	tag := s[colon+1:]
	if dir, ok := strings.CutPrefix(s[:colon], "ocidir:"); ok {
		store, err := oci.New(dir)
		return store, tag, err
	}
	repo, err := remote.NewRepository(s[:colon])
	if err != nil {
		return nil, "", err
	}
	repo.PlainHTTP = true
	return repo, tag, nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "go_copy:", err)
	os.Exit(1)
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: go_copy SRC DST")
		os.Exit(2)
	}
	src, srcTag, err := endpoint(os.Args[1])
	if err != nil {
		fail(err)
	}
	dst, dstTag, err := endpoint(os.Args[2])
	if err != nil {
		fail(err)
	}
	desc, err := oras.Copy(context.Background(), src, srcTag, dst, dstTag, oras.DefaultCopyOptions)
	if err != nil {
		fail(err)
	}
	fmt.Println(desc.Digest)
}
