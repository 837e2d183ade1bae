-- model: canonical.release_groups
-- key: release_group_id
-- assert: not_null(title)
-- Albums as ideas, each with its editions in canonical.releases. MusicBrainz is the
-- only provider that groups editions, so its release groups are the canonical ones.
select
    release_group_id,
    title,
    artist_credit as artist,
    primary_type,
    secondary_types,
    first_release_date
from staging.musicbrainz_release_groups
