module github.com/sluicego/sluice/bench

go 1.26

require (
	github.com/mediocregopher/radix/v4 v4.1.4
	github.com/sluicego/sluice v0.0.0
	github.com/tidwall/redcon v1.6.4
)

require (
	github.com/tidwall/btree v1.1.0 // indirect
	github.com/tidwall/match v1.1.1 // indirect
)

replace github.com/sluicego/sluice => ../
