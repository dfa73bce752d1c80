module github.com/simclr-go/simclr

go 1.26.8

require golang.org/x/sys v0.0.0-20220330033206-e17cdc41300f
