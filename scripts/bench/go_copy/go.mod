module ocictl.bench/go_copy

go 1.23

require oras.land/oras-go/v2 v2.6.0
