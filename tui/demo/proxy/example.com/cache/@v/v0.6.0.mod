module example.com/cache

go 1.20

require example.com/config v1.1.0
