module example.com/proto/v2

go 1.21
