#include "jsonpath/iregexp.h"

#include <gtest/gtest.h>
