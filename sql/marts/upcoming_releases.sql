-- model: marts.upcoming_releases
-- key: release_id, followed_artist
-- What the followed artists have coming: releases dated after today, or that Apple
-- Music lists as pre-releases, with the Listen link of every provider that has them.
with followed as (
    select name, artist_key(name) as k from raw.follows
),
members as (
    select c.cluster_id, i.provider, i.url, i.release_date, i.artist,
        coalesce(a.is_prerelease, false) as is_prerelease
    from intermediate.release_items i
    join canonical.clusters c on c.entity = 'release' and c.provider = i.provider and c.item_id = i.item_id
    left join staging.apple_music_albums a on i.provider = 'apple_music' and a.album_id = i.item_id
),
upcoming as (
    -- A release with any member dated after today or listed as a pre-release.
    select distinct cluster_id
    from members
    where is_prerelease or try_cast(release_date as date) > (select today from raw.build)
),
links as (
    select
        m.cluster_id,
        max(m.url) filter (where m.provider = 'apple_music') as apple_music_url,
        max(m.url) filter (where m.provider = 'spotify') as spotify_url,
        max(m.url) filter (where m.provider = 'deezer') as deezer_url,
        max(m.url) filter (where m.provider = 'itunes') as itunes_url,
        max(m.url) filter (where m.provider = 'musicbrainz') as musicbrainz_url,
        bool_or(m.is_prerelease) as is_prerelease
    from members m
    join upcoming u using (cluster_id)
    group by m.cluster_id
),
credited as (
    -- The followed artist is the credit, or one of its artists.
    select distinct m.cluster_id, f.name as followed_artist
    from (
        -- Read only the upcoming releases' credits.
        select m.cluster_id, artist_key(m.artist) as k, string_split(artist_set(m.artist), '|') as ks
        from members m
        join upcoming u using (cluster_id)
    ) m
    join followed f on m.k = f.k or list_contains(m.ks, f.k)
)
select
    r.release_id,
    c.followed_artist,
    r.title,
    r.artist,
    r.release_date,
    l.is_prerelease,
    l.apple_music_url,
    l.spotify_url,
    l.deezer_url,
    l.itunes_url,
    l.musicbrainz_url
from credited c
join links l using (cluster_id)
join canonical.releases r on r.release_id = c.cluster_id
