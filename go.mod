module github.com/sluicego/sluice

go 1.26
