/** EC2's limits that more than one reader of the inventory observes. */

// EC2 answers FilterLimitExceeded above 200 values in one filter.
export const FILTER_VALUES_MAX = 200;
