-- Net revenue by month and item category for customers in the US: the question the README answers with the
-- star schema, read from its summary (rpt_monthly_revenue_by_customer_country holds the same figures,
-- checked by tests/reconciliation/assert_monthly_summary_reconciles_with_star_schema.sql).

select
    month_start_date,
    category,
    {{ round_money('sum(net_revenue)') }} as net_revenue
from {{ ref('rpt_monthly_revenue_by_customer_country') }}
where customer_country_code = 'US'
group by month_start_date, category
order by month_start_date, category
