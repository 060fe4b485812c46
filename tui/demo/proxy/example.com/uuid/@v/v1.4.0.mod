module example.com/uuid

go 1.17
