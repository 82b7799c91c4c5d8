-- The case study's trigger design in miniature (benchmarks/triggers.py loads it into a scratch
-- database): a BEFORE INSERT trigger classifies each transaction, an AFTER INSERT trigger upserts
-- the account's daily summary. PostgreSQL only; not part of the dbt project.
create schema trg;
create table trg.customers (customer_id bigint primary key, customer_type text not null);
create table trg.sbv_groups (transaction_type text, customer_type text, sbv_group text,
                             is_own_linked_wallet boolean, primary key (transaction_type, customer_type));
create table trg.rules (sbv_group text, customer_type text, rule_order int, required_level text,
                        max_amount numeric, max_amount_plus_daily_total numeric,
                        max_amount_plus_unverified_total numeric, only_own_linked_wallet boolean);
create table trg.transactions (
    transaction_id bigint primary key, from_account_id bigint not null, customer_id bigint not null,
    transaction_type text not null, amount numeric(18, 2) not null, transaction_ts timestamp not null,
    status text not null,
    customer_type text, sbv_group text, transaction_date date, daily_total_before numeric(24, 2),
    required_level text
);
create index on trg.transactions (from_account_id, sbv_group, transaction_date);
create table trg.daily_summaries (
    account_id bigint, summary_date date, transaction_count int, completed_amount numeric(24, 2),
    level_a int, level_b int, level_c int, level_d int, primary key (account_id, summary_date)
);

create function trg.classify() returns trigger language plpgsql as $$
declare
    own boolean;
    r record;
begin
    select customer_type into new.customer_type from trg.customers where customer_id = new.customer_id;
    select sbv_group, is_own_linked_wallet into new.sbv_group, own
    from trg.sbv_groups where transaction_type = new.transaction_type and customer_type = new.customer_type;
    new.transaction_date := new.transaction_ts::date;
    select coalesce(sum(amount), 0) into new.daily_total_before
    from trg.transactions
    where from_account_id = new.from_account_id and sbv_group = new.sbv_group
      and transaction_date = new.transaction_date and status = 'completed';
    new.required_level := null;
    for r in select * from trg.rules
             where sbv_group = new.sbv_group and customer_type = new.customer_type order by rule_order loop
        if (r.max_amount is null or new.amount <= r.max_amount)
           and (r.max_amount_plus_daily_total is null
                or new.amount + new.daily_total_before <= r.max_amount_plus_daily_total)
           and (r.max_amount_plus_unverified_total is null
                or new.amount + new.daily_total_before <= r.max_amount_plus_unverified_total)
           and (not r.only_own_linked_wallet or own) then
            new.required_level := r.required_level;
            exit;
        end if;
    end loop;
    return new;
end $$;

create function trg.summarise() returns trigger language plpgsql as $$
begin
    insert into trg.daily_summaries values (
        new.from_account_id, new.transaction_date, 1,
        case when new.status = 'completed' then new.amount else 0 end,
        (new.required_level = 'A')::int, (new.required_level = 'B')::int,
        (new.required_level = 'C')::int, (new.required_level = 'D')::int)
    on conflict (account_id, summary_date) do update set
        transaction_count = trg.daily_summaries.transaction_count + 1,
        completed_amount = trg.daily_summaries.completed_amount + excluded.completed_amount,
        level_a = trg.daily_summaries.level_a + excluded.level_a,
        level_b = trg.daily_summaries.level_b + excluded.level_b,
        level_c = trg.daily_summaries.level_c + excluded.level_c,
        level_d = trg.daily_summaries.level_d + excluded.level_d;
    return null;
end $$;

create trigger classify before insert on trg.transactions for each row execute function trg.classify();
create trigger summarise after insert on trg.transactions for each row execute function trg.summarise();
