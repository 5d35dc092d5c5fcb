// SQL for a table with a column of every type the binlog decoder supports (`alltypes`, created
// in the current database) and rows at the edges of every type's range, for the mariadb client
// (several statements, client-side escapes). Shared by capture_oracle_test and
// capture_stream_test.
#ifndef INFLOW_TESTS_SUPPORT_ALL_TYPES_SQL_H_
#define INFLOW_TESTS_SUPPORT_ALL_TYPES_SQL_H_

namespace inflow::testing {

inline constexpr const char* kAllTypes =
    "CREATE TABLE alltypes (id INT PRIMARY KEY, ti TINYINT, tiu TINYINT UNSIGNED, si SMALLINT, "
    "siu SMALLINT UNSIGNED, mi MEDIUMINT, miu MEDIUMINT UNSIGNED, i INT, iu INT UNSIGNED, "
    "bi BIGINT, biu BIGINT UNSIGNED, d1 DECIMAL(10,2), d2 DECIMAL(65,30), d3 DECIMAL(5,0) "
    "UNSIGNED, d4 DECIMAL(18,9), f FLOAT, dbl DOUBLE, b1 BIT(1), b12 BIT(12), b64 BIT(64), "
    "y YEAR, dt DATE, tm TIME, tm3 TIME(3), tm6 TIME(6), dtm DATETIME, dtm2 DATETIME(2), "
    "dtm6 DATETIME(6), ts TIMESTAMP NULL DEFAULT NULL, ts1 TIMESTAMP(1) NULL DEFAULT NULL, "
    "ts6 TIMESTAMP(6) NULL DEFAULT NULL, c CHAR(10), c255 CHAR(100) CHARACTER SET utf8mb4, "
    "vc VARCHAR(300), l1 VARCHAR(50) CHARACTER SET latin1, lc CHAR(5) CHARACTER SET latin1, "
    "a1 VARCHAR(20) CHARACTER SET ascii, u3 VARCHAR(20) CHARACTER SET utf8mb3, "
    "gbk VARCHAR(20) CHARACTER SET gbk, tt TINYTEXT, txt TEXT, mt MEDIUMTEXT, lt LONGTEXT, "
    "bn BINARY(8), vb VARBINARY(100), tb TINYBLOB, bl BLOB, mb MEDIUMBLOB, lb LONGBLOB, "
    "e ENUM('a','b','c d','é'), s SET('x','y','z'), j JSON, g GEOMETRY, p POINT, ip INET6, "
    "u UUID) CHARACTER SET utf8mb4";

inline constexpr const char* kInsertRows =
    "INSERT INTO alltypes (id) VALUES (1);\n"  // all NULL
    "INSERT INTO alltypes VALUES (2, -128, 0, -32768, 0, -8388608, 0, -2147483648, 0, "
    "-9223372036854775808, 0, -99999999.99, -99999999999999999999999999999999999.999999999999999"
    "999999999999999, 0, -999999999.999999999, -3.402823466e38, -1.7976931348623157e308, 0, 0, 0, "
    "1901, '1000-01-01', '-838:59:59', '-838:59:59.999', '-00:00:00.000001', "
    "'1000-01-01 00:00:00', '1000-01-01 00:00:00.01', '1000-01-01 00:00:00.000001', "
    "'1970-01-01 00:00:01', '1970-01-01 00:00:01.1', '1970-01-01 00:00:01.000001', '', '', '', "
    "'', '', '', '', '', '', '', '', '', '', '', '', '', '', '', 'a', '', '[]', "
    "ST_GeomFromText('POINT(0 0)'), ST_GeomFromText('POINT(-1.5 2.25)'), '::', "
    "'00000000-0000-0000-0000-000000000000');\n"
    "INSERT INTO alltypes VALUES (3, 127, 255, 32767, 65535, 8388607, 16777215, 2147483647, "
    "4294967295, 9223372036854775807, 18446744073709551615, 99999999.99, "
    "99999999999999999999999999999999999.999999999999999999999999999999, 99999, "
    "999999999.999999999, 3.402823466e38, 1.7976931348623157e308, 1, 4095, "
    "18446744073709551615, 2155, '9999-12-31', '838:59:59', '838:59:59.999', '838:59:59.999999', "
    "'9999-12-31 23:59:59', '9999-12-31 23:59:59.99', '9999-12-31 23:59:59.999999', "
    "'2038-01-19 03:14:07', '2038-01-19 03:14:07.9', '2038-01-19 03:14:07.999999', "
    "'abcdefghij', REPEAT('😀', 100), REPEAT('ü', 300), 'Müller ÿ €', 'é€', 'plain', 'ŝ€x', "
    "'中文', REPEAT('t', 255), 'text \\t tab \\n newline \"quote\" \\\\ back', 'medium 😀', "
    "'long', x'0001020304050607', x'00ff00', x'ff', x'DEADBEEF', x'00', x'0102', 'c d', "
    "'x,y,z', '{\"a\": [1, 2.5, \"s\", null, true], \"b\": {\"c\": \"😀\"}}', "
    "ST_GeomFromText('LINESTRING(0 0,1 1,2 3)'), ST_GeomFromText('POINT(1 2)'), "
    "'2001:db8::ff00:42:8329', '123e4567-e89b-12d3-a456-426655440000');\n"
    "INSERT INTO alltypes (id, ti, d1, d2, d4, f, dbl, tm, tm3, tm6, dtm6, ts6, c, vc, bn, e, s, "
    "ip, u, j, y) VALUES "
    "(4, -1, -0.01, -0.000000000000000000000000000001, -0.5, -0.1, -0.1, '-12:34:56', "
    "'-00:00:01.5', '-01:00:00.5', '2020-02-29 12:34:56.5', '2020-02-29 12:34:56.123456', 'x ', "
    "'trailing  ', x'01', 'é', 'y', '::ffff:1.2.3.4', 'ffffffff-ffff-ffff-ffff-ffffffffffff', "
    "'\"just a string\"', 0),"
    "(5, 1, 1.5, 1.000000000000000000000000000001, 123.000000001, 1.17549435e-38, 5e-324, "
    "'00:00:00', '00:00:00.001', '00:00:00.000001', '0000-00-00 00:00:00', "
    "'1999-12-31 23:59:59.5', '', 'a\\0b', x'0000000000000001', 'b', 'x,z', '::1.2.3.4', "
    "'00112233-4455-6677-8899-aabbccddeeff', '12345678901234567890', 70),"
    "(6, 0, 0, 0, 0, 16777217, 123456789012345678, '100:00:00', '-100:00:00.1', '10:00:00', "
    "'2000-01-01 00:00:00.000001', '2000-01-01 00:00:00', NULL, NULL, NULL, NULL, '', NULL, "
    "NULL, '{}', 99);";

}  // namespace inflow::testing

#endif  // INFLOW_TESTS_SUPPORT_ALL_TYPES_SQL_H_
