#include "jsonpath/path.h"

#include <gtest/gtest.h>
